import { isCustomer, timerActor, type Actor } from '../domain/actor.js';
import type { CaseEvent } from '../domain/case/stream/caseEvents.js';
import type { CommandType } from '../domain/case/caseCommands.js';
import { pendingTimers, timerCommand } from '../domain/case/caseTimers.js';
import { VirtualClock } from '../domain/clock.js';
import { admitCaseCommand, caseDecider } from '../domain/case/caseDecider.js';
import type { DocketError } from '../domain/docketError.js';
import { formatInstant, parseInstant } from '../domain/instant.js';
import type { Policy } from '../domain/policy/policy.js';
import type { CaseSnapshot } from '../domain/case/rebuildCase.js';
import type { Tenant } from '../domain/policy/tenant.js';
import type { Scenario } from './scenario.js';
import { timerChanges } from './timerBackend.js';
import { TimerQueue } from './timerQueue.js';

export interface SimulatedEvent {
  readonly type: CaseEvent['type'];
  readonly at: string;
  readonly data: CaseEvent['data'];
}

/** Where a further target's clock stands at the end of a run. */
export interface SimulatedTarget {
  readonly status: 'running' | 'paused' | 'stopped';
  /** While running. */
  readonly dueAt?: string;
  /** Business ms left, once paused or stopped. */
  readonly remainingMs?: number;
  readonly breached: boolean;
  readonly atRisk: boolean;
}

export interface SimulationOutput {
  readonly cases: Record<
    string,
    {
      state: string;
      severity: string;
      events: SimulatedEvent[];
      /** The further targets' clocks (only when the policy sets some for the case). */
      targets?: Record<string, SimulatedTarget>;
    }
  >;
  readonly refused: Array<{
    step: number;
    command: CommandType;
    case: string;
    error: { code: string; message: string; issues?: readonly unknown[] };
  }>;
}

/** One step of a run whose instants are already parsed (epoch ms), in time order. */
export interface SimulationStep {
  readonly at: number;
  readonly command: CommandType;
  readonly case: string;
  readonly actor: Actor;
  readonly input?: unknown;
}

/** What `simulateSteps` runs: tenants, steps in time order, and an instant to run timers up to. */
export interface SimulationRun {
  readonly tenants: readonly Tenant[];
  readonly steps: readonly SimulationStep[];
  readonly until?: number | undefined;
}

/**
 * Runs a scenario on an in-memory log with a virtual clock (`docket simulate`). Before each
 * step, every timer due strictly before the step's instant fires, in the fixed timer order,
 * with the clock at its due instant; a step at the very instant a deadline falls is taken
 * first ("1 hour or less" includes the hour). After the last step, timers due up to `until`
 * fire. A refused step changes nothing and is listed in `refused`.
 */
export const runSimulation = (scenario: Scenario, policy: Policy): SimulationOutput =>
  simulateSteps(
    {
      tenants: scenario.tenants,
      steps: scenario.steps.map((step) => ({ ...step, at: parseInstant(step.at) })),
      until: scenario.until === undefined ? undefined : parseInstant(scenario.until),
    },
    policy,
  );

/** `runSimulation` on steps whose instants are parsed (the policy what-if replays recorded ones). */
export const simulateSteps = (run: SimulationRun, policy: Policy): SimulationOutput => {
  const tenants = new Map<string, Tenant>(run.tenants.map((t) => [t.id, t]));
  const snapshots = new Map<string, CaseSnapshot>();
  const log = new Map<string, SimulatedEvent[]>();
  const timers = new TimerQueue();
  const refused: SimulationOutput['refused'][number][] = [];
  const firstStep = run.steps[0];
  const clock = new VirtualClock(firstStep !== undefined ? firstStep.at : 0);

  const execute = (type: CommandType, caseId: string, actor: Actor, input: unknown) => {
    const now = clock.now();
    const snapshot = snapshots.get(caseId);
    const tenant = isCustomer(actor) ? tenants.get(actor.tenant) : undefined;
    const command = admitCaseCommand({ type, caseId, actor, input }, snapshot);
    if (!command.ok) return command.error;
    const decision = caseDecider.decide(command.value, snapshot, { now, policy, tenant });
    if (!decision.ok) return decision.error;
    const { events, next } = decision.value;
    if (events.length === 0 || next === undefined) return undefined;
    const at = formatInstant(now);
    let caseLog = log.get(caseId);
    if (caseLog === undefined) log.set(caseId, (caseLog = []));
    for (const event of events) caseLog.push({ type: event.type, at, data: event.data });
    const changes = timerChanges(
      snapshot === undefined ? [] : pendingTimers(snapshot),
      pendingTimers(next),
    );
    for (const timer of changes.remove) timers.remove(timer);
    for (const timer of changes.add) timers.add(timer);
    snapshots.set(caseId, next);
    return undefined;
  };

  const fireTimers = (isDue: (dueAt: number) => boolean) => {
    for (let next = timers.popDue(isDue); next !== undefined; next = timers.popDue(isDue)) {
      clock.advanceTo(next.dueAt);
      const error = execute(timerCommand[next.kind], next.caseId, timerActor, {});
      if (error !== undefined) throw error; // a timer's check never fails on a consistent log
    }
  };

  run.steps.forEach((step, index) => {
    const { at } = step;
    fireTimers((dueAt) => dueAt < at);
    clock.advanceTo(at);
    const error: DocketError | undefined = execute(step.command, step.case, step.actor, step.input);
    if (error !== undefined) {
      refused.push({ step: index, command: step.command, case: step.case, error: error.toJSON() });
    }
  });
  const { until } = run;
  if (until !== undefined) {
    fireTimers((dueAt) => dueAt <= until);
    clock.advanceTo(until);
  }

  const cases: SimulationOutput['cases'] = {};
  for (const [caseId, snapshot] of snapshots) {
    const targets = targetsOf(snapshot);
    cases[caseId] = {
      state: snapshot.state,
      severity: snapshot.context.severity,
      events: log.get(caseId) ?? [],
      ...(targets !== undefined && { targets }),
    };
  }
  return { cases, refused };
};

const targetsOf = ({ context }: CaseSnapshot): Record<string, SimulatedTarget> | undefined => {
  const entries = Object.entries(context.clocks).flatMap(([target, clock]) =>
    clock === undefined
      ? []
      : [
          [
            target,
            {
              status: clock.status,
              ...(clock.status === 'running'
                ? { dueAt: formatInstant(clock.dueAt) }
                : { remainingMs: clock.remainingMs }),
              breached: clock.breached,
              atRisk: clock.atRisk?.recorded ?? false,
            },
          ] as const,
        ],
  );
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
};
