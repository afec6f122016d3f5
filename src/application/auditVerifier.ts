import { CASE_MACHINE_VERSION } from '../../machines/caseMachine.js';
import { applyCaseEvent, type CaseSnapshot } from '../domain/case/rebuildCase.js';
import { isCaseStream } from '../domain/case/stream/caseStreamId.js';
import { toMachineEvent } from './caseStream.js';
import { canonicalEventHash, eventHash } from './eventHash.js';
import {
  GENESIS_HASH,
  type EventMetadata,
  type EventStore,
  type ReadByStreamOptions,
  type RecordedEvent,
} from './eventStore.js';
import type { UpcasterRegistry } from './upcasting.js';

export type BreakKind =
  'missing' | 'reordered' | 'altered' | 'chain' | 'refused' | 'unknown-machine';

/** Something an auditor must look at: where, and why. */
export interface StreamBreak {
  readonly streamId: string;
  readonly revision: number;
  readonly kind: BreakKind;
  readonly reason: string;
}

/**
 * Machine versions this build can replay. A history is replayed with the machine version its
 * events record; events are upcast to today's shapes first (docs/auditing.md). v2 only added
 * events to v1, so today's machine replays both.
 */
export const replayableMachineVersions: readonly number[] = [1, CASE_MACHINE_VERSION];

const withoutHashes = ({
  previousHash: _previous,
  hash: _hash,
  ...metadata
}: RecordedEvent['metadata']): EventMetadata => metadata;

/**
 * The fast path: the hash of the stored texts taken as they are. Equal to the stored hash only
 * if they are byte for byte the canonical JSON that was hashed when the event was written
 * (SHA-256), so the parsed values are what was hashed. Otherwise (texts stored in another form,
 * or changed) `undefined`, and the values are serialised canonically and hashed again.
 */
const storedHashMatches = (
  streamId: string,
  event: RecordedEvent,
  hash: string,
): string | undefined => {
  const stored = event.storedJson;
  if (stored === undefined) return undefined;
  const candidate = canonicalEventHash({
    streamId,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    canonicalData: stored.data,
    canonicalMetadata: stored.metadata,
    previousHash: event.metadata.previousHash,
  });
  return candidate === hash ? hash : undefined;
};

/**
 * Verifies one stream as stored: revisions without gaps, each event's hash recomputed from its
 * content, each event chained to the one before, and (for cases) every event accepted by the
 * case machine when replayed in order.
 */
export const verifyStream = (
  streamId: string,
  events: readonly RecordedEvent[],
  upcasters: UpcasterRegistry,
): StreamBreak[] => {
  const breaks: StreamBreak[] = [];
  const report = (revision: number, kind: BreakKind, reason: string) =>
    breaks.push({ streamId, revision, kind, reason });
  const isCase = isCaseStream(streamId);
  let expected = 0;
  let previousHash = GENESIS_HASH;
  let snapshot: CaseSnapshot | undefined;
  for (const event of events) {
    const { previousHash: storedPrevious, hash } = event.metadata;
    if (event.revision > expected) {
      const gap =
        event.revision - 1 === expected ? `${expected}` : `${expected}–${event.revision - 1}`;
      report(
        expected,
        'missing',
        `revision ${gap} is missing: the stream jumps to ${event.revision}`,
      );
    } else if (event.revision < expected) {
      report(event.revision, 'reordered', `revision ${event.revision} comes after ${expected - 1}`);
    }
    const recomputed =
      storedHashMatches(streamId, event, hash) ??
      eventHash({
        streamId,
        revision: event.revision,
        eventId: event.eventId,
        event: {
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: withoutHashes(event.metadata),
        },
        previousHash: storedPrevious,
      });
    if (recomputed !== hash) {
      report(
        event.revision,
        'altered',
        `the content no longer matches its hash (${hash.slice(0, 12)}…): changed after it was written`,
      );
    }
    if (storedPrevious !== previousHash) {
      report(
        event.revision,
        'chain',
        `it is chained to ${storedPrevious.slice(0, 12)}…, not to the event before it (${previousHash.slice(0, 12)}…): an event was removed, inserted or moved`,
      );
    }
    if (isCase) {
      const version = event.metadata.machineVersion;
      if (version !== undefined && !replayableMachineVersions.includes(version)) {
        report(
          event.revision,
          'unknown-machine',
          `recorded by case machine v${version}, which this build cannot replay`,
        );
      } else {
        const applied = applyCaseEvent(snapshot, toMachineEvent(upcasters.upcast(event)));
        if (applied.ok) snapshot = applied.value;
        else
          report(
            event.revision,
            'refused',
            `the case machine refuses it: ${applied.error.message}`,
          );
      }
    }
    previousHash = hash;
    expected = Math.max(expected, event.revision + 1);
  }
  return breaks;
};

export interface VerifyProgress {
  readonly streams: number;
  readonly events: number;
  /** Events in the store, where it can tell (`EventStore.countEvents`). */
  readonly totalEvents: number | undefined;
}

/**
 * Verifies every stream of the store (or of a range of stream ids) in one pass over
 * `readByStream`, stream after stream, so memory holds one stream at a time. Breaks are reported
 * as found.
 */
export const verifyStore = async (
  store: EventStore,
  upcasters: UpcasterRegistry,
  onBreak: (b: StreamBreak) => void,
  onProgress: (p: VerifyProgress) => void = () => undefined,
  range: ReadByStreamOptions = {},
): Promise<{ streams: number; events: number; breaks: number }> => {
  const whole = range.fromStreamId === undefined && range.toStreamId === undefined;
  const totalEvents = whole ? await store.countEvents?.() : undefined;
  let events = 0;
  let streams = 0;
  let breaks = 0;
  let streamId: string | undefined;
  let stream: RecordedEvent[] = [];
  const verifyCurrent = () => {
    if (streamId === undefined) return;
    for (const b of verifyStream(streamId, stream, upcasters)) {
      breaks++;
      onBreak(b);
    }
    events += stream.length;
    streams++;
    if (streams % 1_000 === 0) onProgress({ streams, events, totalEvents });
  };
  for await (const event of store.readByStream(range)) {
    if (event.streamId !== streamId) {
      verifyCurrent();
      streamId = event.streamId;
      stream = [];
    }
    stream.push(event);
  }
  verifyCurrent();
  onProgress({ streams, events, totalEvents });
  return { streams, events, breaks };
};
