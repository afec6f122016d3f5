import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpWebhookSender } from '../../src/adapters/httpWebhookSender.js';
import { WebhookOutboxStore } from '../../src/adapters/webhookOutboxStore.js';
import { WebhookDispatcher } from '../../src/application/webhookDispatcher.js';
import { WebhookFeeder } from '../../src/application/webhookFeeder.js';
import type { WebhookRetryPolicy } from '../../src/application/webhookRetries.js';
import { httpFixture, type HttpFixture, type Person } from './httpSpec.js';
import { WebhookReceiver, type ReceivedWebhook } from './webhookReceiver.js';

/** The verification recipe of docs/notifications.md: node:crypto only. */
export const verifyWebhook = (secret: string, request: ReceivedWebhook, nowSeconds: number) => {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (id === undefined || timestamp === undefined || signatures === undefined) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
};

/** A short schedule for tests: 4 attempts, waits of 1 s, 2 s, 4 s before jitter. */
export const testRetryPolicy: WebhookRetryPolicy = {
  attempts: 4,
  firstDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 60_000,
};

export interface WebhookWorld {
  readonly f: HttpFixture;
  readonly receiver: WebhookReceiver;
  readonly feeder: WebhookFeeder;
  readonly dispatcher: WebhookDispatcher;
  readonly outbox: WebhookOutboxStore;
  /** Registers an endpoint as `who` over HTTP; returns its id and secret. */
  register(who: Person, body: object): Promise<{ id: string; secret: string }>;
  /** Runs a case command over HTTP as `who`. */
  act(who: Person, caseId: string, command: string, body: object): Promise<void>;
  /** Waits until the outbox has turned the whole log into deliveries. */
  fed(): Promise<void>;
  /**
   * Feeds, then sends what is due, moving the virtual clock to each next attempt, until nothing
   * is pending to an enabled endpoint (or `maxRounds`).
   */
  deliverAll(maxRounds?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The HTTP app on a memory store and a virtual clock, the outbox in its in-memory read models,
 * a feeder and a dispatcher on them (driven by the test: `dispatcher.runDue()`), and a receiver
 * on 127.0.0.1 (private addresses allowed). Jitter draws 0.5: every wait is 3/4 of its full length.
 */
export const webhookWorld = async (
  options: { readonly disableAfterMs?: number } = {},
): Promise<WebhookWorld> => {
  const f = await httpFixture({ readModels: true, webhooksAllowPrivate: true });
  const receiver = await WebhookReceiver.start();
  const outbox = new WebhookOutboxStore(f.readModels!);
  const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5_000 });
  const dispatcher = new WebhookDispatcher({
    outbox,
    endpoints: f.webhooks!.registry,
    sender,
    clock: f.clock,
    retry: testRetryPolicy,
    random: () => 0.5,
    ...(options.disableAfterMs === undefined ? {} : { disableAfterMs: options.disableAfterMs }),
  });
  const feeder = new WebhookFeeder({
    store: f.services.store,
    outbox,
    tenantOf: (id) => f.services.cases.tenantOf(id),
    clock: f.clock,
    batchMs: 1,
  });
  await feeder.start();
  const fed = async () => {
    let head = 0n;
    for await (const e of f.store.readAll({ direction: 'backwards', maxCount: 1 }))
      head = e.position;
    await feeder.caughtUp(head);
  };
  return {
    f,
    receiver,
    feeder,
    dispatcher,
    outbox,
    register: async (who, body) => {
      const res = await f.request(who, { method: 'POST', url: '/webhooks', payload: body });
      if (res.statusCode !== 201) throw new Error(`POST /webhooks: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; secret: string }>();
    },
    act: async (who, caseId, command, body) => {
      const res = await f.request(who, {
        method: 'POST',
        url: `/cases/${caseId}/${command}`,
        payload: body,
      });
      if (res.statusCode !== 200) throw new Error(`${command}: ${res.statusCode} ${res.body}`);
    },
    fed,
    deliverAll: async (maxRounds = 20) => {
      await fed();
      for (let round = 0; round < maxRounds; round++) {
        await dispatcher.runDue();
        const enabled = [...(await f.webhooks!.registry.all()).values()]
          .filter((e) => e.disabled === undefined)
          .map((e) => e.id);
        const next = await outbox.nextDueAt(enabled);
        if (next === undefined) return;
        f.clock.advanceTo(next);
      }
    },
    close: async () => {
      await feeder.close();
      await dispatcher.close();
      await sender.close();
      await receiver.close();
      await f.close();
    },
  };
};
