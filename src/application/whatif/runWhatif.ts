import { formatInstant } from '../../domain/instant.js';
import type { EventStore, RecordedEvent } from '../eventStore.js';
import {
  replayCaseStreams,
  type WhatifFilter,
  type WhatifHead,
  type WhatifPolicy,
} from './replayCaseStreams.js';
import { mergeWhatifPartials, type WhatifPartial } from './whatifPartial.js';
import { WHATIF_NOTE, type WhatifGroup, type WhatifReport } from './whatifReport.js';

export interface WhatifProgress {
  readonly eventsRead: number;
  readonly casesReplayed: number;
  /** The events the log holds, where the store can tell. */
  readonly totalEvents: number | undefined;
}

/**
 * Replays the case streams in parts side by side (worker threads over ranges of stream ids),
 * telling the counts summed over the parts as they go, and gives each part's partial in stream
 * order.
 */
export type WhatifReplayer = (
  head: WhatifHead,
  onProgress: (p: { eventsRead: number; casesReplayed: number }) => void,
) => Promise<readonly WhatifPartial[]>;

export interface WhatifOptions extends WhatifFilter {
  readonly policy: WhatifPolicy;
  /** Told every `progressEvery` case streams read and at the end; awaited (a job may yield). */
  readonly onProgress?: (progress: WhatifProgress) => void | Promise<void>;
  /** @defaultValue 1000 */
  readonly progressEvery?: number;
  /** Replays in parts; by default, all case streams in this thread. */
  readonly replayer?: WhatifReplayer;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : formatInstant(ms));

/**
 * Replays the recorded cases opened in the range (and of the tenant or offering, if given) under
 * `options.policy` and compares each with what the log recorded (`replayCaseStreams`), up to the
 * event that was last when the run began; with a `replayer`, in parts whose partials are merged
 * in stream order, so the report is the same. Never writes.
 */
export const runWhatif = async (
  store: EventStore,
  options: WhatifOptions,
): Promise<WhatifReport> => {
  let last: RecordedEvent | undefined;
  for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 })) last = e;
  const totalEvents = await store.countEvents?.();
  const head: WhatifHead | undefined =
    last === undefined
      ? undefined
      : { position: last.position, until: Date.parse(last.metadata.occurredAt) };
  const progress = async (p: { eventsRead: number; casesReplayed: number }) =>
    await options.onProgress?.({ ...p, totalEvents });

  let parts: readonly WhatifPartial[] = [];
  if (head !== undefined) {
    const { policy, from, to, tenant, offering, progressEvery } = options;
    parts =
      options.replayer === undefined
        ? [
            await replayCaseStreams(store, {
              policy,
              head,
              from,
              to,
              tenant,
              offering,
              progressEvery,
              onProgress: progress,
            }),
          ]
        : await options.replayer(head, (p) => void progress(p));
  }
  const { tallies, partial } = mergeWhatifPartials(parts);
  const { changed, refused, eventsRead, casesReplayed } = partial;
  await progress({ eventsRead, casesReplayed });

  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byKey = (a: WhatifGroup, b: WhatifGroup) =>
    compare(a.offering, b.offering) || compare(a.line, b.line) || compare(a.severity, b.severity);
  return {
    policy: options.policy.kind === 'candidate' ? options.policy.policy.version : 'recorded',
    asOf:
      last === undefined
        ? null
        : { position: last.position.toString(), at: last.metadata.occurredAt },
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
      before: tallies.overall.before.figures(),
      after: tallies.overall.after.figures(),
    },
    groups: tallies
      .groups()
      .map(({ key, before, after }) => ({
        ...key,
        before: before.figures(),
        after: after.figures(),
      }))
      .sort(byKey),
    changed,
    refused: { count: refused.length, commands: refused },
  };
};
