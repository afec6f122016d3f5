import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPostgresReadModels,
  openSqliteReadModels,
  type ReadModelDb,
} from '../../src/adapters/readModelDb.js';
import { WebhookOutboxStore } from '../../src/adapters/webhookOutboxStore.js';
import type { NewWebhookDelivery } from '../../src/application/webhookOutbox.js';
import { FaultCode, isFault } from '../../src/domain/docketError.js';
import { createTestSchema, postgresAvailability, type TestSchema } from '../specs/postgresSpec.js';

const delivery = (n: number, endpointId = 'e1'): NewWebhookDelivery => ({
  id: `msg_${String(n).padStart(26, '0')}`,
  endpointId,
  eventId: `ev${n}`,
  eventType: 'CaseOpened',
  caseId: `c${n}`,
  position: n,
  payload: `{"n":${n}}`,
});

/** The outbox's contract, run on each read-model database. */
const outboxContract = (name: string, open: () => Promise<ReadModelDb>, lock: boolean) =>
  describe(`webhook outbox on ${name}`, () => {
    let db: ReadModelDb;
    let outbox: WebhookOutboxStore;
    beforeAll(async () => {
      db = await open();
      outbox = new WebhookOutboxStore(db, { lock });
      await outbox.prepare();
      await outbox.prepare(); // again: nothing changes
    });
    afterAll(() => db.destroy());

    it('moves its checkpoint with each batch, only from where it stands', async () => {
      expect(await outbox.checkpoint()).toBe(-1);
      await outbox.enqueue([delivery(1), delivery(2)], -1, 2, 1_000);
      await outbox.enqueue([delivery(2), delivery(3), delivery(4, 'e2')], 2, 4, 1_000);
      expect(await outbox.checkpoint()).toBe(4);
      const moved = await outbox.enqueue([delivery(5)], 2, 5, 1_000).catch((e: unknown) => e);
      expect(isFault(moved, FaultCode.checkpointMoved)).toBe(true);
      expect(await outbox.checkpoint()).toBe(4);
      expect((await outbox.list('e1', { limit: 10 })).map((d) => d.position)).toEqual([3, 2, 1]);
    });

    it('hands out due deliveries oldest first, but those excluded and other endpoints', async () => {
      const due = await outbox.due(1_000, ['e1'], 10, [delivery(1).id]);
      expect(due.map((d) => d.position)).toEqual([2, 3]);
      expect(await outbox.due(999, ['e1', 'e2'], 10, [])).toEqual([]);
      expect(await outbox.nextDueAt(['e1'], [delivery(1).id])).toBe(1_000);
      expect(await outbox.nextDueAt([])).toBeUndefined();
    });

    it('records attempts (written together when they come together): retry, dead, delivered', async () => {
      await Promise.all([
        outbox.record(delivery(1).id, {
          at: 1_100,
          status: 503,
          error: 'the endpoint answered 503',
          outcome: { kind: 'retry', retryAt: 5_000 },
        }),
        outbox.record(delivery(2).id, {
          at: 1_100,
          status: null,
          error: 'no answer',
          outcome: { kind: 'dead' },
        }),
        outbox.record(delivery(3).id, {
          at: 1_200,
          status: 204,
          error: null,
          outcome: { kind: 'delivered' },
        }),
      ]);
      const [three, two, one] = await outbox.list('e1', { limit: 10 });
      expect(one).toMatchObject({ status: 'pending', attempts: 1, tries: 1, nextAttemptAt: 5_000 });
      expect(two).toMatchObject({ status: 'dead', nextAttemptAt: null, lastError: 'no answer' });
      expect(three).toMatchObject({ status: 'delivered', deliveredAt: 1_200, lastStatus: 204 });
      expect(await outbox.list('e1', { limit: 10, status: 'dead' })).toHaveLength(1);
      expect(await outbox.list('e1', { limit: 10, before: 3 })).toHaveLength(2);
      expect(await outbox.nextDueAt(['e1'])).toBe(5_000);
    });

    it('redelivers one of its endpoint’s deliveries with a fresh schedule', async () => {
      const again = await outbox.redeliver('e1', delivery(2).id, 9_000);
      expect(again).toMatchObject({
        status: 'pending',
        tries: 0,
        attempts: 1,
        nextAttemptAt: 9_000,
      });
      expect(await outbox.redeliver('e2', delivery(2).id, 9_000)).toBeUndefined();
    });

    it('keeps since when an endpoint has failed, until a success', async () => {
      expect(await outbox.failingSince('e1', 100, false)).toBe(100);
      expect(await outbox.failingSince('e1', 200, false)).toBe(100);
      expect(await outbox.failingSince('e1', 300, true)).toBeUndefined();
      expect(await outbox.failingSince('e1', 400, false)).toBe(400);
    });

    it('keeps a checkpoint per feed: another feed (e-mail) starts where it is told, and moves alone', async () => {
      const mail = new WebhookOutboxStore(db, {
        lock,
        feed: 'mail',
        startAt: () => Promise.resolve(41),
      });
      await mail.prepare();
      expect(await mail.checkpoint()).toBe(41);
      await mail.enqueue([delivery(42, 'mail')], 41, 42, 2_000);
      expect(await mail.checkpoint()).toBe(42);
      expect(await outbox.checkpoint()).toBe(4);
      // Started again, it carries on from its checkpoint, not from `startAt`.
      await mail.prepare();
      expect(await mail.checkpoint()).toBe(42);
      expect((await outbox.due(2_000, ['mail'], 10, [])).map((d) => d.position)).toEqual([42]);
      expect(await outbox.due(2_000, ['e2'], 10, [])).toHaveLength(1);
    });
  });

outboxContract('SQLite', () => Promise.resolve(openSqliteReadModels(':memory:')), false);

const postgres = await postgresAvailability();
if (postgres.mode === 'skip') {
  it.skip(`webhook outbox on PostgreSQL — skipped: ${postgres.reason}`, () => undefined);
} else {
  let schema: TestSchema | undefined;
  afterAll(() => schema?.drop());
  outboxContract(
    'PostgreSQL',
    async () => {
      if (postgres.mode === 'fail') throw new Error(postgres.reason);
      schema = await createTestSchema(postgres.url);
      return openPostgresReadModels(postgres.url, schema.name);
    },
    true,
  );
}
