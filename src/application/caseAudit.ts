import { formatInstant } from '../domain/instant.js';
import type { Policy } from '../domain/policy/policy.js';
import { applyCaseEvent, type CaseSnapshot } from '../domain/case/rebuildCase.js';
import { toMachineEvent } from './caseStream.js';
import type { RecordedEvent } from './eventStore.js';
import { runningDeadlines, type RunningDeadline } from './runningDeadlines.js';

/** One line of a case's history: the event and the case as it was right after it. */
export interface HistoryEntry {
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly actor: RecordedEvent['metadata']['actor'];
  readonly commandId: string;
  readonly correlationId: string;
  readonly policyVersion: string | null;
  readonly machineVersion: number | null;
  readonly hash: string;
  /** State and severity after the event, computed by replay (never stored). */
  readonly state: string | null;
  readonly severity: string | null;
  readonly data: unknown;
}

/** Replays a case's (upcast) events, recording the state and severity after each. */
export const caseHistory = (events: readonly RecordedEvent[]): HistoryEntry[] => {
  let snapshot: CaseSnapshot | undefined;
  return events.map((event) => {
    const applied = applyCaseEvent(snapshot, toMachineEvent(event));
    snapshot = applied.ok ? applied.value : snapshot;
    const m = event.metadata;
    return {
      revision: event.revision,
      type: event.type,
      schemaVersion: event.schemaVersion,
      occurredAt: m.occurredAt,
      actor: m.actor,
      commandId: m.commandId,
      correlationId: m.correlationId,
      policyVersion: m.policyVersion ?? null,
      machineVersion: m.machineVersion ?? null,
      hash: m.hash,
      state: applied.ok ? (snapshot?.state ?? null) : null,
      severity: applied.ok ? (snapshot?.context.severity ?? null) : null,
      data: event.data,
    };
  });
};

export interface CaseAtInstant {
  readonly at: string;
  /** Revision of the last event at or before the instant. */
  readonly revision: number;
  readonly snapshot: CaseSnapshot;
  readonly deadlines: RunningDeadline[];
}

/**
 * The case as it was at `at` (epoch ms): its events up to that instant replayed, and the
 * deadlines that were running then with the business time left on each. `undefined` if the
 * case did not exist yet. `policyFor` gives the policy the case was opened under.
 */
export const caseAt = (
  events: readonly RecordedEvent[],
  at: number,
  policyFor: (version: string) => Policy | undefined,
): CaseAtInstant | undefined => {
  let snapshot: CaseSnapshot | undefined;
  for (const event of events) {
    if (Date.parse(event.metadata.occurredAt) > at) break;
    const applied = applyCaseEvent(snapshot, toMachineEvent(event));
    if (!applied.ok) throw applied.error;
    snapshot = applied.value;
  }
  if (snapshot === undefined) return undefined;
  const deadlines = runningDeadlines(snapshot, at, policyFor(snapshot.context.policyVersion));
  return { at: formatInstant(at), revision: snapshot.revision, snapshot, deadlines };
};
