/**
 * The golden histories' file format, shared by the recorder (`test/fixtures/streams/record.ts`)
 * and the test that replays them (`goldenHistories.unit.test.ts`).
 *
 * Each story is two files in `test/fixtures/streams/`:
 * - `<story>.stream.json`: the case stream exactly as the store recorded it (every event with
 *   its envelope: event id, revision, position, type, schema version, data, and metadata with
 *   the hash chain). Never edited by hand: re-record it instead.
 * - `<story>.expected.json`: what the case was when it was recorded: the summary of the final
 *   state, the state and severity after every event, and the timers the case still needed.
 */
import type { CaseSnapshot } from '../../src/domain/case/rebuildCase.js';
import type { RecordedEvent } from '../../src/application/eventStore.js';
import { pendingTimers } from '../../src/domain/case/caseTimers.js';

export const streamsDir = new URL('../fixtures/streams/', import.meta.url);

/** A recorded event as JSON: the position, a bigint in the port, is written as a string. */
export interface StoredEvent extends Omit<RecordedEvent, 'position' | 'storedJson'> {
  readonly position: string;
}

export interface GoldenStream {
  readonly streamId: string;
  readonly events: readonly StoredEvent[];
}

/** The key facts of a case, instants as ISO 8601 UTC, absent members as null. */
export interface CaseSummary {
  readonly state: string;
  readonly severity: string;
  readonly requestedSeverity: string;
  readonly policyVersion: string;
  readonly tenant: string;
  readonly offering: string;
  readonly line: string;
  readonly revision: number;
  readonly openedAt: string;
  readonly responseCalendar: string;
  readonly responseDueAt: string;
  readonly breached: boolean;
  readonly firstResponseAt: string | null;
  readonly respondedWithinTarget: boolean | null;
  readonly assignee: string | null;
  readonly awaitingSince: string | null;
  readonly nonresponseDueAt: string | null;
  readonly resolution: string | null;
  readonly resolvedAt: string | null;
  readonly autoCloseAt: string | null;
  readonly closedAt: string | null;
  readonly surveySubmitted: boolean;
  readonly reopenCount: number;
  readonly downgradeCount: number;
  readonly warnings: readonly unknown[];
}

export interface TrailEntry {
  readonly revision: number;
  readonly type: string;
  readonly state: string;
  readonly severity: string;
}

export interface GoldenExpectation {
  readonly story: string;
  readonly covers: readonly string[];
  readonly final: CaseSummary;
  readonly trail: readonly TrailEntry[];
  readonly pendingTimers: readonly { kind: string; dueAt: string; revision: number }[];
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

export const summarize = ({ state, context: c }: CaseSnapshot): CaseSummary => ({
  state,
  severity: c.severity,
  requestedSeverity: c.requestedSeverity,
  policyVersion: c.policyVersion,
  tenant: c.tenant.id,
  offering: c.tenant.offering,
  line: c.line,
  revision: c.revision,
  openedAt: iso(c.openedAt)!,
  responseCalendar: c.responseCalendar,
  responseDueAt: iso(c.responseDueAt)!,
  breached: c.breached,
  firstResponseAt: iso(c.firstResponseAt),
  respondedWithinTarget: c.respondedWithinTarget ?? null,
  assignee: c.assignee ?? null,
  awaitingSince: iso(c.awaitingSince),
  nonresponseDueAt: iso(c.nonresponseDueAt),
  resolution: c.resolution ?? null,
  resolvedAt: iso(c.resolvedAt),
  autoCloseAt: iso(c.autoCloseAt),
  closedAt: iso(c.closedAt),
  surveySubmitted: c.surveySubmitted,
  reopenCount: c.reopenCount,
  downgradeCount: c.downgradeCount,
  warnings: c.warnings,
});

export const summarizeTimers = (snapshot: CaseSnapshot): GoldenExpectation['pendingTimers'] =>
  pendingTimers(snapshot).map((t) => ({
    kind: t.kind,
    dueAt: new Date(t.dueAt).toISOString(),
    revision: t.revision,
  }));

export const toStoredEvent = ({
  position,
  storedJson: _,
  ...event
}: RecordedEvent): StoredEvent => ({
  ...event,
  position: position.toString(),
});

export const fromStoredEvent = ({ position, ...event }: StoredEvent): RecordedEvent => ({
  ...event,
  position: BigInt(position),
});
