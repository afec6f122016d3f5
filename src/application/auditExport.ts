import { canonicalJson } from './eventHash.js';
import type { EventStore, RecordedEvent } from './eventStore.js';
import { caseStreamId } from '../domain/case/stream/caseStreamId.js';

export type ExportFormat = 'json' | 'csv';

/** The events of one case as stored (never upcast: the hashes cover the stored form). */
export async function* exportCase(
  store: EventStore,
  caseId: string,
): AsyncGenerator<RecordedEvent> {
  yield* store.readStream(caseStreamId(caseId));
}

/**
 * Every event of a tenant's cases that occurred in [from, to) (epoch ms), in log order, read
 * in one pass: a case belongs to the tenant its CaseOpened names. Memory: the ids of the
 * tenant's cases.
 */
export async function* exportTenant(
  store: EventStore,
  tenantId: string,
  from: number,
  to: number,
): AsyncGenerator<RecordedEvent> {
  const cases = new Set<string>();
  for await (const event of store.readAll()) {
    if (
      event.type === 'CaseOpened' &&
      (event.data as { tenant?: { id?: string } }).tenant?.id === tenantId
    )
      cases.add(event.streamId);
    if (!cases.has(event.streamId)) continue;
    const at = Date.parse(event.metadata.occurredAt);
    if (at >= from && at < to) yield event;
  }
}

const CSV_COLUMNS = [
  'stream_id',
  'revision',
  'position',
  'event_id',
  'type',
  'schema_version',
  'occurred_at',
  'actor_role',
  'actor_id',
  'actor_tenant',
  'command_id',
  'causation_id',
  'correlation_id',
  'policy_version',
  'machine_version',
  'previous_hash',
  'hash',
  'data',
  'metadata',
] as const;

const csvCell = (value: string | number | undefined): string => {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * One exported event. JSON Lines: the stored event, with `metadata` holding `previousHash` and
 * `hash`. CSV: one column per envelope field, `data` and `metadata` (without the hashes) as
 * canonical JSON, which is what the hash covers (docs/auditing.md).
 */
export const formatExported = (event: RecordedEvent, format: ExportFormat): string => {
  if (format === 'json') {
    return JSON.stringify({ ...event, position: event.position.toString() }) + '\n';
  }
  const { previousHash, hash, ...metadata } = event.metadata;
  const cells = [
    event.streamId,
    event.revision,
    event.position.toString(),
    event.eventId,
    event.type,
    event.schemaVersion,
    metadata.occurredAt,
    metadata.actor.role,
    metadata.actor.id,
    metadata.actor.tenant,
    metadata.commandId,
    metadata.causationId,
    metadata.correlationId,
    metadata.policyVersion,
    metadata.machineVersion,
    previousHash,
    hash,
    canonicalJson(event.data),
    canonicalJson(metadata),
  ];
  return cells.map(csvCell).join(',') + '\r\n';
};

export const exportHeader = (format: ExportFormat): string =>
  format === 'csv' ? CSV_COLUMNS.join(',') + '\r\n' : '';
