import { SmtpMailSender } from '../../src/adapters/smtpMailSender.js';
import { WebhookOutboxStore } from '../../src/adapters/webhookOutboxStore.js';
import { mailDispatcherOptions } from '../../src/application/mailChannel.js';
import { MAIL_CHANNEL, MailFanOut } from '../../src/application/mailFanOut.js';
import { OutboxFeeder } from '../../src/application/outboxFeeder.js';
import { WebhookDispatcher } from '../../src/application/webhookDispatcher.js';
import { httpFixture, type HttpFixture, type Person } from './httpSpec.js';
import { SmtpReceiver } from './smtpReceiver.js';
import { testRetryPolicy } from './webhookWorld.js';

export const mailFrom = 'Docket Support <support@docket.example>';

export interface MailWorld {
  readonly f: HttpFixture;
  readonly smtp: SmtpReceiver;
  readonly feeder: OutboxFeeder;
  readonly dispatcher: WebhookDispatcher;
  readonly outbox: WebhookOutboxStore;
  /** Issues a token with an e-mail address (and a language) as root. */
  person(request: object): Promise<void>;
  act(who: Person, caseId: string, command: string, body: object): Promise<void>;
  fed(): Promise<void>;
  /** Feeds, then sends what is due, moving the virtual clock to each next attempt. */
  deliverAll(maxRounds?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The HTTP app on a memory store and a virtual clock, the e-mail channel of the outbox in its
 * read models (feed `mail`), and a real SMTP server in the test process. Jitter draws 0.5.
 */
export const mailWorld = async (): Promise<MailWorld> => {
  const f = await httpFixture({ readModels: true });
  const smtp = await SmtpReceiver.start();
  const outbox = new WebhookOutboxStore(f.readModels!, { feed: 'mail' });
  const sender = new SmtpMailSender({ url: smtp.url, from: mailFrom, timeoutMs: 5_000 });
  const dispatcher = new WebhookDispatcher(
    mailDispatcherOptions({
      outbox,
      sender,
      clock: f.clock,
      retry: testRetryPolicy,
      random: () => 0.5,
    }),
  );
  const feeder = new OutboxFeeder({
    store: f.services.store,
    outbox,
    fanOut: new MailFanOut(f.services.store, f.services.policies),
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
    smtp,
    feeder,
    dispatcher,
    outbox,
    person: async (request) => {
      const issued = await f.services.tokens.issue({ role: 'admin', id: 'root' }, request);
      if (!issued.ok) throw issued.error;
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
        const next = await outbox.nextDueAt([MAIL_CHANNEL]);
        if (next === undefined) return;
        f.clock.advanceTo(next);
      }
    },
    close: async () => {
      await feeder.close();
      await dispatcher.close();
      await sender.close();
      await smtp.close();
      await f.close();
    },
  };
};
