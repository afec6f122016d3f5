import type { CommandType } from '../../domain/case/caseCommands.js';
import { isDocketError } from '../../domain/docketError.js';
import { formatInstant } from '../../domain/instant.js';
import type { Policy } from '../../domain/policy/policy.js';
import { simulateSteps } from '../simulation.js';
import { caseOutcome, type CaseOutcome } from './caseOutcome.js';
import type { OutcomeEvent, RecordedCase } from './recordedCase.js';

/**
 * A recorded command the replay refused: the case, the command, its recorded instant and why.
 * When the refused command is the `open`, the case's other commands are not replayed
 * (`skipped` counts them).
 */
export interface WhatifRefusal {
  readonly caseId: string;
  readonly command: CommandType;
  readonly at: string;
  readonly code: string;
  readonly message: string;
  readonly skipped?: number;
}

export interface ReplayedCase {
  /** Undefined when the replay did not open the case. */
  readonly outcome: CaseOutcome | undefined;
  readonly refused: readonly WhatifRefusal[];
}

/**
 * Replays a recorded case's external commands, at their recorded instants and by their recorded
 * actors, through the simulator under `policy` with a virtual clock; the timers fire as the
 * policy sets them, up to `until` (inclusive). Pure.
 */
export const replayRecordedCase = (
  recorded: RecordedCase,
  policy: Policy,
  until: number,
): ReplayedCase => {
  const { caseId, commands } = recorded;
  let output;
  try {
    output = simulateSteps({ tenants: [recorded.tenant], steps: commands, until }, policy);
  } catch (error) {
    // A timer's check the policy cannot decide (it lacks what the case was opened with).
    if (!isDocketError(error)) throw error;
    const { code, message } = error;
    const at = formatInstant(recorded.openedAt);
    return { outcome: undefined, refused: [{ caseId, command: 'open', at, code, message }] };
  }
  const refused = output.refused.map(({ step, command, error }): WhatifRefusal => {
    const at = formatInstant(commands[step]?.at ?? recorded.openedAt);
    return { caseId, command, at, code: error.code, message: error.message };
  });
  const replayed = output.cases[caseId];
  if (replayed === undefined) {
    const open = refused.find((r) => r.command === 'open');
    const skipped = commands.length - 1;
    return { outcome: undefined, refused: open === undefined ? refused : [{ ...open, skipped }] };
  }
  return { outcome: caseOutcome(replayed.events as OutcomeEvent[]), refused };
};
