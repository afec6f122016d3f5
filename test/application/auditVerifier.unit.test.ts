import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import {
  verifyStore,
  verifyStream,
  type StreamBreak,
} from '../../src/application/auditVerifier.js';
import { caseHistory } from '../../src/application/caseAudit.js';
import { canonicalJson } from '../../src/application/eventHash.js';
import { caseEventUpcasters } from '../../src/application/caseEventUpcasters.js';
import type { EventStore, NewEvent, RecordedEvent } from '../../src/application/eventStore.js';
import { UpcasterRegistry, withUpcasting } from '../../src/application/upcasting.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { servicesWith } from '../specs/servicesSpec.js';
import { parsed } from '../specs/caseCommands.js';

const upcasters = new UpcasterRegistry(caseEventUpcasters);
const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
const li = { role: 'agent', id: 'li' } as const;
const openInput = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 't',
  contact: { name: 'A', email: 'a@b.co' },
};

/** A real case stream: open, assign, respond, resolve (4 events). */
const recordedCase = async (): Promise<{ store: MemoryEventStore; events: RecordedEvent[] }> => {
  const store = new MemoryEventStore();
  const { commands } = await servicesWith(
    store,
    new VirtualClock(Date.parse('2026-11-23T02:00:00Z')),
  );
  await commands.handle(parsed({ type: 'open', caseId: 'c1', actor: ada, input: openInput }));
  await commands.handle(
    parsed({ type: 'assign', caseId: 'c1', actor: li, input: { agent: 'li' } }),
  );
  await commands.handle(
    parsed({ type: 'respond', caseId: 'c1', actor: li, input: { message: 'hi' } }),
  );
  await commands.handle(
    parsed({
      type: 'resolve',
      caseId: 'c1',
      actor: li,
      input: { reason: 'fixed', summary: 's' },
    }),
  );
  const events: RecordedEvent[] = [];
  for await (const e of store.readStream('case-c1')) events.push(e);
  return { store, events };
};

const kinds = (breaks: StreamBreak[]) => breaks.map((b) => [b.revision, b.kind]);

describe('audit verification', () => {
  it('an intact case stream has no breaks', async () => {
    const { events } = await recordedCase();
    expect(verifyStream('case-c1', events, upcasters)).toEqual([]);
  });

  it('locates an altered event, a removed one and two swapped ones', async () => {
    const { events } = await recordedCase();
    const altered = events.map((e, i) =>
      i === 2 ? { ...e, data: { ...(e.data as object), message: 'hj' } } : e,
    );
    expect(kinds(verifyStream('case-c1', altered, upcasters))).toEqual([[2, 'altered']]);

    const removed = events.filter((_, i) => i !== 1);
    expect(kinds(verifyStream('case-c1', removed, upcasters))).toEqual([
      [1, 'missing'],
      [2, 'chain'],
    ]);

    // Swapped as a careless UPDATE would: each row takes the other's revision.
    const swapped = [
      events[0]!,
      { ...events[2]!, revision: 1 },
      { ...events[1]!, revision: 2 },
      events[3]!,
    ];
    const breaks = verifyStream('case-c1', swapped, upcasters);
    expect(breaks.map((b) => b.revision)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(breaks.every((b) => ['altered', 'chain', 'refused'].includes(b.kind))).toBe(true);
  });

  it('reports a correctly hashed event the machine refuses, and an unknown machine version', async () => {
    const { store } = await recordedCase();
    const raw = (type: string, data: unknown, machineVersion = 1): NewEvent => ({
      type,
      schemaVersion: 1,
      data,
      metadata: {
        commandId: `forged-${type}`,
        causationId: 'x',
        correlationId: 'x',
        actor: li,
        occurredAt: '2026-11-24T00:00:00.000Z',
        caseId: 'c1',
        machineVersion,
      },
    });
    // Written through the store, so the hashes are right; the lifecycle is not.
    await store.append('case-c1', [raw('CustomerResponded', { message: 'in resolved?' })], {
      expectedRevision: 3,
    });
    await store.append('case-c1', [raw('NoteAdded', { agent: 'li', text: 'future' }, 7)], {
      expectedRevision: 4,
    });
    const events: RecordedEvent[] = [];
    for await (const e of store.readStream('case-c1')) events.push(e);
    const breaks = verifyStream('case-c1', events, upcasters);
    expect(kinds(breaks)).toEqual([
      [4, 'refused'],
      [5, 'unknown-machine'],
    ]);
    expect(breaks[0]!.reason).toMatch(/CustomerResponded is not accepted in state resolved/);
  });

  it('a v1 history (CaseResolved before autoCloseAt was recorded) verifies and replays', async () => {
    const store: EventStore = new MemoryEventStore();
    const { events } = await recordedCase();
    // Re-record the same case as an old build wrote it: CaseResolved at schema version 1.
    for (const e of events) {
      const { previousHash: _p, hash: _h, ...metadata } = e.metadata;
      const old = e.type === 'CaseResolved';
      const { autoCloseAt: _a, ...v1Data } = e.data as { autoCloseAt?: string };
      await store.append(
        'case-c9',
        [
          {
            type: e.type,
            schemaVersion: old ? 1 : e.schemaVersion,
            data: old ? v1Data : e.data,
            metadata,
          },
        ],
        {
          expectedRevision: e.revision === 0 ? 'no-stream' : e.revision - 1,
        },
      );
    }
    const stored: RecordedEvent[] = [];
    for await (const e of store.readStream('case-c9')) stored.push(e);
    expect(stored[3]).toMatchObject({ type: 'CaseResolved', schemaVersion: 1 });
    expect((stored[3]!.data as { autoCloseAt?: string }).autoCloseAt).toBeUndefined();
    expect(verifyStream('case-c9', stored, upcasters)).toEqual([]);
    const upcast: RecordedEvent[] = [];
    for await (const e of withUpcasting(store, upcasters).readStream('case-c9')) upcast.push(e);
    expect(caseHistory(upcast).map((h) => h.state)).toEqual([
      'opened',
      'opened',
      'responded',
      'resolved',
    ]);
  });

  it('hashes stored canonical texts as they are; texts stored in another form are checked through their values', async () => {
    const { events } = await recordedCase();
    const texts = (e: RecordedEvent, data: unknown = e.data) => {
      const { previousHash: _p, hash: _h, ...metadata } = e.metadata;
      return { data: canonicalJson(data), metadata: canonicalJson(metadata) };
    };
    const stored = events.map((e) => ({ ...e, storedJson: texts(e) }));
    expect(verifyStream('case-c1', stored, upcasters)).toEqual([]);

    // The stored text is what is checked: values that disagree with a text matching its hash
    // cannot come from that text, so the text wins (this proves the texts are hashed as they are).
    const valuesAside = stored.map((e, i) =>
      i === 2 ? { ...e, data: { ...(e.data as object), message: 'hj' } } : e,
    );
    expect(verifyStream('case-c1', valuesAside, upcasters)).toEqual([]);

    // Texts in another form (an older store, another key order, whitespace): checked again
    // through their values, and intact.
    const reformatted = events.map((e) => ({
      ...e,
      storedJson: { data: JSON.stringify(e.data, null, 2), metadata: ' {}' },
    }));
    expect(verifyStream('case-c1', reformatted, upcasters)).toEqual([]);

    // Text and values changed together (what an UPDATE of the row gives): altered.
    const changed = stored.map((e, i) => {
      if (i !== 2) return e;
      const data = { ...(e.data as object), message: 'hj' };
      return { ...e, data, storedJson: texts(e, data) };
    });
    expect(kinds(verifyStream('case-c1', changed, upcasters))).toEqual([[2, 'altered']]);
  });

  it('verifies a whole store stream by stream, reporting progress', async () => {
    const { store } = await recordedCase();
    const found: StreamBreak[] = [];
    const progress: number[] = [];
    const result = await verifyStore(
      store,
      upcasters,
      (b) => found.push(b),
      (p) => progress.push(p.events),
    );
    expect(found).toEqual([]);
    expect(result).toMatchObject({ breaks: 0, events: result.events });
    expect(result.streams).toBeGreaterThanOrEqual(3); // the case and the directory streams
    expect(progress.at(-1)).toBe(result.events);
  });
});
