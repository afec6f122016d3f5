import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { formatInstant } from '../domain/instant.js';
import type { NewEvent } from './eventStore.js';

/** An event of a directory stream (tokens, tenants), with the envelope every event carries. */
export const directoryEvent = (
  actor: Actor,
  now: number,
  type: string,
  data: unknown,
  options: { readonly schemaVersion?: number; readonly commandId?: string } = {},
): NewEvent => {
  const commandId = options.commandId ?? randomUUID();
  return {
    type,
    schemaVersion: options.schemaVersion ?? 1,
    data,
    metadata: {
      commandId,
      causationId: commandId,
      correlationId: commandId,
      actor,
      occurredAt: formatInstant(now),
    },
  };
};
