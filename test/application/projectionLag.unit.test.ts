import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { projectionLag } from '../../src/application/projectionLag.js';
import type { ProjectionStatus } from '../../src/application/projectionStatus.js';
import { VirtualClock } from '../../src/domain/clock.js';

const at = (iso: string) => ({
  type: 'NoteAdded',
  schemaVersion: 1,
  data: {},
  metadata: {
    commandId: iso,
    causationId: iso,
    correlationId: iso,
    actor: { role: 'agent', id: 'li' },
    occurredAt: iso,
  },
});

const status = (name: string, position: number, head: number): ProjectionStatus => ({
  name,
  version: 1,
  position,
  rebuilding: false,
  updatedAt: null,
  head,
  lag: Math.max(0, head - Math.max(position, 0)),
});

describe('projection lag', () => {
  it('is the events not applied and the age of the oldest of them', async () => {
    const store = new MemoryEventStore();
    await store.append('case-s', [at('2026-11-23T02:00:00.000Z')], { expectedRevision: 'any' });
    await store.append('case-s', [at('2026-11-23T02:00:10.000Z')], { expectedRevision: 'any' });
    await store.append('case-s', [at('2026-11-23T02:00:30.000Z')], { expectedRevision: 'any' });
    const positions: bigint[] = [];
    for await (const e of store.readAll()) positions.push(e.position);
    const [first, second, third] = positions.map(Number);
    const clock = new VirtualClock(Date.parse('2026-11-23T02:01:00Z'));

    const lags = await projectionLag(
      [
        status('caught-up', third!, third!),
        status('one-behind', second!, third!),
        status('from-scratch', -1, third!),
        status('same-position', second!, third!),
      ],
      store,
      clock,
    );
    expect(lags).toEqual([
      { projection: 'caught-up', events: 0, seconds: 0, rebuilding: false },
      { projection: 'one-behind', events: third! - second!, seconds: 30, rebuilding: false },
      { projection: 'from-scratch', events: third!, seconds: 60, rebuilding: false },
      { projection: 'same-position', events: third! - second!, seconds: 30, rebuilding: false },
    ]);
    expect(first).toBeGreaterThan(0);
  });
});
