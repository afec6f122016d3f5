import type { EsdbFault } from './esdbFaults.js';
import type { CommitOutcome, ProposedEvent } from './esdbRecords.js';
import type { EsdbServerContext } from './esdbServerContext.js';

/** What became of an append that passed its fault: its outcome, or no answer at all. */
export type CommitResult =
  | { readonly kind: 'outcome'; readonly outcome: CommitOutcome }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'dropped' };

/** `Event.SizeOnDisk` (data, metadata and the type's UTF-16 bytes), summed over the append. */
const appendSize = (events: readonly ProposedEvent[]): number =>
  events.reduce((sum, e) => sum + e.data.length + e.metadata.length + e.type.length * 2, 0);

/**
 * One append under its fault: refused when too large (before anything is written), held for a
 * slow commit (a deadline that passes first answers `timed-out`, the write still lands on
 * release), cut before or after the write for a dropped connection.
 */
export const commit = async (
  context: EsdbServerContext,
  streamId: string,
  expected: bigint,
  events: readonly ProposedEvent[],
  fault: EsdbFault | undefined,
  deadline?: Date,
): Promise<CommitResult> => {
  if (appendSize(events) > context.maxAppendSize) return { kind: 'too-large' };
  if (fault?.kind === 'drop-connection' && fault.when !== 'after-commit') {
    context.dropConnections();
    return { kind: 'dropped' };
  }
  if (fault?.kind === 'slow-commit') {
    const write = fault.release().then(() => context.log.append(streamId, expected, events));
    if (deadline !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), Math.max(0, deadline.getTime() - Date.now()));
      });
      const first = await Promise.race([write, expired]);
      clearTimeout(timer);
      if (first === 'expired') return { kind: 'timed-out' };
      return { kind: 'outcome', outcome: first };
    }
    return { kind: 'outcome', outcome: await write };
  }
  const outcome = context.log.append(streamId, expected, events);
  if (fault?.kind === 'drop-connection') {
    context.dropConnections();
    return { kind: 'dropped' };
  }
  return { kind: 'outcome', outcome };
};
