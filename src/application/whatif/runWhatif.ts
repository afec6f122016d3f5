import { formatInstant } from '../../domain/instant.js';
import type { Policy } from '../../domain/policy/policy.js';
import type { EventStore, RecordedEvent } from '../eventStore.js';
import { caseOutcome } from './caseOutcome.js';
import { outcomeChanges } from './outcomeChanges.js';
import { FiguresTally } from './outcomeFigures.js';
import { recordedCase, type RecordedCase } from './recordedCase.js';
import { replayRecordedCase, type ReplayedCase, type WhatifRefusal } from './replayRecordedCase.js';
import {
  WHATIF_NOTE,
  type ChangedCase,
  type WhatifGroup,
  type WhatifReport,
} from './whatifReport.js';

/** The policy to replay under: a candidate for every case, or each case's recorded version. */
export type WhatifPolicy =
  | { readonly kind: 'candidate'; readonly policy: Policy }
  | { readonly kind: 'recorded'; readonly byVersion: (version: string) => Policy | undefined };

export interface WhatifProgress {
  readonly eventsRead: number;
  readonly casesReplayed: number;
  /** The events the log holds, where the store can tell. */
  readonly totalEvents: number | undefined;
}

export interface WhatifOptions {
  readonly policy: WhatifPolicy;
  /** Cases opened at or after this instant (epoch ms). */
  readonly from?: number | undefined;
  /** Cases opened strictly before this instant (epoch ms). */
  readonly to?: number | undefined;
  readonly tenant?: string | undefined;
  readonly offering?: string | undefined;
  /** Told every `progressEvery` case streams read and at the end; awaited (a job may yield). */
  readonly onProgress?: (progress: WhatifProgress) => void | Promise<void>;
  /** @defaultValue 1000 */
  readonly progressEvery?: number;
}

/** Case streams only: every case stream id starts `case-`, and `.` sorts right after `-`. */
const CASE_STREAMS = { fromStreamId: 'case-', toStreamId: 'case.' } as const;

const iso = (ms: number | undefined) => (ms === undefined ? null : formatInstant(ms));

const replay = (recorded: RecordedCase, policy: WhatifPolicy, until: number): ReplayedCase => {
  if (policy.kind === 'candidate') return replayRecordedCase(recorded, policy.policy, until);
  const version = recorded.opened.policyVersion;
  const recordedPolicy = policy.byVersion(version);
  if (recordedPolicy !== undefined) return replayRecordedCase(recorded, recordedPolicy, until);
  const refusal: WhatifRefusal = {
    caseId: recorded.caseId,
    command: 'open',
    at: formatInstant(recorded.openedAt),
    code: 'policy-version-missing',
    message: `policy version ${version} is not recorded in the log (or no longer parses)`,
    skipped: recorded.commands.length - 1,
  };
  return { outcome: undefined, refused: [refusal] };
};

/**
 * Replays the recorded cases opened in the range (and of the tenant or offering, if given) under
 * `options.policy` and compares each with what the log recorded. The log is read stream after
 * stream (`readByStream`, paged by the store), up to the event that was last when the run
 * began; one case is held at a time, besides the figures (one number per first response) and
 * the list of changed cases and refusals. Never writes.
 */
export const runWhatif = async (
  store: EventStore,
  options: WhatifOptions,
): Promise<WhatifReport> => {
  let head: RecordedEvent | undefined;
  for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 })) head = e;
  const totalEvents = await store.countEvents?.();
  const until = head === undefined ? 0 : Date.parse(head.metadata.occurredAt);
  const tallies = new Map<
    string,
    { group: Omit<WhatifGroup, 'before' | 'after'>; before: FiguresTally; after: FiguresTally }
  >();
  const overall = { before: new FiguresTally(), after: new FiguresTally() };
  const changed: ChangedCase[] = [];
  const refused: WhatifRefusal[] = [];
  let eventsRead = 0;
  let casesReplayed = 0;
  const progress = async () =>
    await options.onProgress?.({ eventsRead, casesReplayed, totalEvents });

  /** Whether the case a stream starts with is one to replay (before reading the rest). */
  const wanted = (first: RecordedEvent | undefined) => {
    if (first?.type !== 'CaseOpened') return false;
    const openedAt = Date.parse(first.metadata.occurredAt);
    const { tenant } = first.data as { tenant: { id: string; offering: string } };
    return (
      (options.from === undefined || openedAt >= options.from) &&
      (options.to === undefined || openedAt < options.to) &&
      (options.tenant === undefined || tenant.id === options.tenant) &&
      (options.offering === undefined || tenant.offering === options.offering)
    );
  };
  const take = (stream: readonly RecordedEvent[]) => {
    if (!wanted(stream[0])) return;
    const recorded = recordedCase(stream);
    if (recorded === undefined) return;
    const { opened, openedAt } = recorded;
    const before = caseOutcome(recorded.events);
    if (before === undefined) return;
    const after = replay(recorded, options.policy, until);
    const key = { offering: opened.tenant.offering, line: opened.line, severity: opened.severity };
    const id = `${key.offering}\u0000${key.line}\u0000${key.severity}`;
    let tally = tallies.get(id);
    if (tally === undefined)
      tallies.set(
        id,
        (tally = { group: key, before: new FiguresTally(), after: new FiguresTally() }),
      );
    tally.before.add(before);
    overall.before.add(before);
    if (after.outcome !== undefined) {
      tally.after.add(after.outcome);
      overall.after.add(after.outcome);
    }
    refused.push(...after.refused);
    const changes = outcomeChanges(before, after.outcome, formatInstant(openedAt));
    if (changes.length > 0) changed.push({ caseId: recorded.caseId, ...key, changes });
    casesReplayed++;
  };
  let streamsRead = 0;
  const took = async (stream: readonly RecordedEvent[]) => {
    take(stream);
    if (++streamsRead % (options.progressEvery ?? 1_000) === 0) await progress();
  };

  if (head !== undefined) {
    let stream: RecordedEvent[] = [];
    for await (const event of store.readByStream(CASE_STREAMS)) {
      eventsRead++;
      if (event.position > head.position) continue; // appended since the run began
      if (stream.length > 0 && stream[0]?.streamId !== event.streamId) {
        await took(stream);
        stream = [];
      }
      stream.push(event);
    }
    if (stream.length > 0) await took(stream);
  }
  await progress();

  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byKey = (a: WhatifGroup, b: WhatifGroup) =>
    compare(a.offering, b.offering) || compare(a.line, b.line) || compare(a.severity, b.severity);
  return {
    policy: options.policy.kind === 'candidate' ? options.policy.policy.version : 'recorded',
    asOf:
      head === undefined
        ? null
        : { position: head.position.toString(), at: head.metadata.occurredAt },
    filter: {
      from: iso(options.from),
      to: iso(options.to),
      tenant: options.tenant ?? null,
      offering: options.offering ?? null,
    },
    note: WHATIF_NOTE,
    overall: {
      offering: 'all',
      line: 'all',
      severity: 'all',
      before: overall.before.figures(),
      after: overall.after.figures(),
    },
    groups: [...tallies.values()]
      .map(({ group, before, after }) => ({
        ...group,
        before: before.figures(),
        after: after.figures(),
      }))
      .sort(byKey),
    changed,
    refused: { count: refused.length, commands: refused },
  };
};
