import { formatInstant } from '../../domain/instant.js';
import type { Policy } from '../../domain/policy/policy.js';
import type { EventStore, ReadByStreamOptions, RecordedEvent } from '../eventStore.js';
import { caseOutcome } from './caseOutcome.js';
import { outcomeChanges } from './outcomeChanges.js';
import { recordedCase, type RecordedCase } from './recordedCase.js';
import { replayRecordedCase, type ReplayedCase, type WhatifRefusal } from './replayRecordedCase.js';
import { WhatifTallies, type WhatifPartial } from './whatifPartial.js';
import type { ChangedCase } from './whatifReport.js';

/** The policy to replay under: a candidate for every case, or each case's recorded version. */
export type WhatifPolicy =
  | { readonly kind: 'candidate'; readonly policy: Policy }
  | { readonly kind: 'recorded'; readonly byVersion: (version: string) => Policy | undefined };

/** Which recorded cases a what-if takes: opened in `[from, to)`, of the tenant and offering. */
export interface WhatifFilter {
  /** Cases opened at or after this instant (epoch ms). */
  readonly from?: number | undefined;
  /** Cases opened strictly before this instant (epoch ms). */
  readonly to?: number | undefined;
  readonly tenant?: string | undefined;
  readonly offering?: string | undefined;
}

/**
 * The log as a run reads it: events up to `position` (the last when the run began), timers
 * replayed up to `until` (that event's instant, epoch ms).
 */
export interface WhatifHead {
  readonly position: bigint;
  readonly until: number;
}

export interface CaseStreamsReplay extends WhatifFilter {
  readonly policy: WhatifPolicy;
  readonly head: WhatifHead;
  /** Case streams only, within this range of stream ids (all case streams if absent). */
  readonly range?: ReadByStreamOptions;
  /** Told every `progressEvery` case streams read, with the counts so far; awaited. */
  readonly onProgress?: (p: { eventsRead: number; casesReplayed: number }) => void | Promise<void>;
  /** @defaultValue 1000 */
  readonly progressEvery?: number;
}

/** Case streams only: every case stream id starts `case-`, and `.` sorts right after `-`. */
export const CASE_STREAMS = { fromStreamId: 'case-', toStreamId: 'case.' } as const;

/** The case streams of `range`; undefined when it holds none. */
export const caseStreamsOf = (range: ReadByStreamOptions = {}): ReadByStreamOptions | undefined => {
  const from =
    range.fromStreamId !== undefined && range.fromStreamId > CASE_STREAMS.fromStreamId
      ? range.fromStreamId
      : CASE_STREAMS.fromStreamId;
  const to =
    range.toStreamId !== undefined && range.toStreamId < CASE_STREAMS.toStreamId
      ? range.toStreamId
      : CASE_STREAMS.toStreamId;
  return from < to ? { fromStreamId: from, toStreamId: to } : undefined;
};

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
 * Replays the recorded cases of a range of case streams that the filter takes, each under its
 * policy, and compares each with what the log recorded. The range is read stream after stream
 * (`readByStream`, paged by the store), up to `head.position`; one case is held at a time,
 * besides the tallies (one number per first response) and the changed cases and refusals, in
 * stream order. Never writes.
 */
export const replayCaseStreams = async (
  store: EventStore,
  options: CaseStreamsReplay,
): Promise<WhatifPartial> => {
  const { head, policy } = options;
  const tallies = new WhatifTallies();
  const changed: ChangedCase[] = [];
  const refused: WhatifRefusal[] = [];
  let eventsRead = 0;
  let casesReplayed = 0;

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
    const after = replay(recorded, policy, head.until);
    const key = { offering: opened.tenant.offering, line: opened.line, severity: opened.severity };
    const group = tallies.group(key);
    group.before.add(before);
    tallies.overall.before.add(before);
    if (after.outcome !== undefined) {
      group.after.add(after.outcome);
      tallies.overall.after.add(after.outcome);
    }
    for (const r of after.refused) refused.push(r);
    const changes = outcomeChanges(before, after.outcome, formatInstant(openedAt));
    if (changes.length > 0) changed.push({ caseId: recorded.caseId, ...key, changes });
    casesReplayed++;
  };
  let streamsRead = 0;
  const took = async (stream: readonly RecordedEvent[]) => {
    take(stream);
    if (++streamsRead % (options.progressEvery ?? 1_000) === 0)
      await options.onProgress?.({ eventsRead, casesReplayed });
  };

  const range = caseStreamsOf(options.range);
  if (range !== undefined) {
    let stream: RecordedEvent[] = [];
    for await (const event of store.readByStream(range)) {
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
  return {
    groups: tallies.groups().map(({ key, before, after }) => ({
      key,
      before: before.data(),
      after: after.data(),
    })),
    overall: { before: tallies.overall.before.data(), after: tallies.overall.after.data() },
    changed,
    refused,
    eventsRead,
    casesReplayed,
  };
};
