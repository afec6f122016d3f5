import type { CommandType } from '../domain/case/caseCommands.js';
import type { CaseSnapshot } from '../domain/case/rebuildCase.js';
import { ErrorCode } from '../domain/docketError.js';
import type { NewEvent } from '../domain/recordedEvent.js';
import type { Result } from '../domain/result.js';

/**
 * How a command ended, a closed set so that a metric labelled by it stays small: `refused` is
 * any refusal the caller caused (role, case, state, input), `conflict` a revision the caller
 * did not expect or a case that kept changing, `error` a fault thrown (the store, …).
 */
export type CommandOutcome = 'ok' | 'refused' | 'conflict' | 'error';

/** One handled case command, as the command handler reports it to its observer. */
export interface CommandObservation {
  readonly command: CommandType;
  readonly outcome: CommandOutcome;
  /** Wall time from `handle` to its answer, waiting behind the case's earlier commands included. */
  readonly seconds: number;
  /** The events the command recorded (none for a refusal, a fault or a repeated command id). */
  readonly events: readonly NewEvent[];
  /** The case after the command (absent when it failed). */
  readonly snapshot: CaseSnapshot | undefined;
}

/**
 * Watches the commands a handler runs (metrics, say). Called once per command, after its answer
 * is known and before the caller sees it: keep it cheap; an observer that throws is ignored.
 */
export interface CommandObserver {
  observe(observation: CommandObservation): void;
}

interface HandledCommand {
  readonly snapshot: CaseSnapshot;
  readonly events: readonly NewEvent[];
  readonly duplicate: boolean;
}

const none: readonly NewEvent[] = [];

const report = (observer: CommandObserver, observation: CommandObservation): void => {
  try {
    observer.observe(observation);
  } catch {
    // An observer's fault never changes a command's answer.
  }
};

/** `run` (a command started at `startedMs`, `performance.now()`), reported to `observer` when it settles. */
export const observeCommand = <T extends HandledCommand>(
  observer: CommandObserver,
  command: CommandType,
  startedMs: number,
  run: Promise<Result<T>>,
): Promise<Result<T>> =>
  run.then(
    (result) => {
      const seconds = (performance.now() - startedMs) / 1_000;
      if (result.ok) {
        const { snapshot, events, duplicate } = result.value;
        report(observer, {
          command,
          outcome: 'ok',
          seconds,
          events: duplicate ? none : events,
          snapshot,
        });
      } else {
        const outcome = result.error.code === ErrorCode.conflict ? 'conflict' : 'refused';
        report(observer, { command, outcome, seconds, events: none, snapshot: undefined });
      }
      return result;
    },
    (error: unknown) => {
      const seconds = (performance.now() - startedMs) / 1_000;
      report(observer, { command, outcome: 'error', seconds, events: none, snapshot: undefined });
      throw error;
    },
  );
