/**
 * E-mail notifications (issue #17), figures only: BENCH_CASES technical B cases (default 1,000)
 * opened on an SQLite store (synchronous=FULL), each mailed to its contact and to one tenant
 * admin (2 mails a case), the outbox in SQLite read models, an SMTP server in this process
 * (`smtp-server`, accepting at once, counting Message-IDs).
 * Fan-out of a backlog: the cases are recorded first, then the mail deliverer (the outbox's
 * `mail` feed and the dispatcher, through nodemailer's pool of 4 connections) is started;
 * mails/s from its start to the last accepted, and duplicates by Message-ID. Beside it, in the
 * same run just before: the same number of mails sent straight with nodemailer (same pool, same
 * server), and the ratio.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { openSqliteReadModels } from '../src/adapters/readModelDb.js';
import { SmtpMailSender } from '../src/adapters/smtpMailSender.js';
import { SqliteEventStore } from '../src/adapters/sqliteEventStore.js';
import { systemClock } from '../src/adapters/systemClock.js';
import { WebhookOutboxStore } from '../src/adapters/webhookOutboxStore.js';
import { createDocketServices } from '../src/application/docketServices.js';
import { mailDispatcherOptions } from '../src/application/mailChannel.js';
import { MailFanOut } from '../src/application/mailFanOut.js';
import { OutboxFeeder } from '../src/application/outboxFeeder.js';
import { WebhookDispatcher } from '../src/application/webhookDispatcher.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';
import { parsed } from '../test/specs/caseCommands.js';

const CASES = Number(process.env['BENCH_CASES'] ?? 1_000);
const MAILS = CASES * 2;
const dir = mkdtempSync(join(tmpdir(), 'docket-bench-mail-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Counts accepted mails and their Message-IDs; resolves `until(n)` once n have arrived. */
const ids = new Set<string>();
let accepted = 0;
let duplicates = 0;
let waiting: { n: number; resolve: () => void } | undefined;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (c: Buffer) => {
      if (head.length < 4_096) head += c.toString('utf8');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? randomUUID();
      if (ids.has(id)) duplicates++;
      ids.add(id);
      accepted++;
      if (waiting !== undefined && accepted >= waiting.n) waiting.resolve();
      callback();
    });
  },
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`;
const until = (n: number) =>
  accepted >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { n, resolve }));

const store = new SqliteEventStore({ path: join(dir, 'docket.db') });
const created = await createDocketServices(store, systemClock, defaultPolicy);
if (!created.ok) throw created.error;
const services = created.value;
const root = { role: 'admin', id: 'root' } as const;
await services.tenants.register(root, {
  id: 'contoso',
  offering: '21vianet',
  advancedAgreement: true,
});
await services.tokens.issue(root, {
  role: 'customer-admin',
  tenant: 'contoso',
  name: 'boss',
  email: 'boss@contoso.example',
});
const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
const input = {
  line: 'technical',
  severity: 'B',
  category: 'sso',
  title: 'Outlook cannot find the mailbox',
  contact: { name: 'Ada', email: 'ada@contoso.example' },
};
for (let i = 0; i < CASES; i++)
  await services.commands.handle(parsed({ type: 'open', caseId: randomUUID(), actor: ada, input }));

// The baseline: the same number of mails of the same size, straight through nodemailer.
const raw = nodemailer.createTransport({ url, pool: true, maxConnections: 4 } as never);
const rawStart = performance.now();
let sent = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (sent < MAILS) {
      sent++;
      await raw.sendMail({
        from: 'Docket <support@docket.example>',
        to: 'ada@contoso.example',
        subject: `[Docket] We received your case: ${input.title}`,
        text: 'x'.repeat(300),
        html: `<p>${'x'.repeat(300)}</p>`,
        messageId: `<raw-${sent}@docket.example>`,
      });
    }
  }),
);
const rawSeconds = (performance.now() - rawStart) / 1_000;
raw.close();
await until(MAILS);
const baseline = accepted;

const db = openSqliteReadModels(join(dir, 'readmodels.db'));
const outbox = new WebhookOutboxStore(db, { feed: 'mail' });
const sender = new SmtpMailSender({ url, from: 'Docket <support@docket.example>' });
const dispatcher = new WebhookDispatcher(
  mailDispatcherOptions({ outbox, sender, clock: systemClock }),
);
const feeder = new OutboxFeeder({
  store: services.store,
  outbox,
  fanOut: new MailFanOut(services.store, services.policies),
  clock: systemClock,
  onEnqueued: () => dispatcher.wake(),
});
const start = performance.now();
await feeder.start();
dispatcher.start();
await until(baseline + MAILS);
const seconds = (performance.now() - start) / 1_000;

const docketRate = MAILS / seconds;
const rawRate = MAILS / rawSeconds;
console.log(`cases: ${fmt(CASES)}, mails: ${fmt(MAILS)} (contact + one admin each)`);
console.log(`raw nodemailer, pool of 4: ${fmt(rawRate)} mails/s`);
console.log(
  `docket (feed + dispatcher + nodemailer): ${fmt(docketRate)} mails/s; ratio ${(docketRate / rawRate).toFixed(2)}`,
);
console.log(`duplicates by Message-ID: ${duplicates}; missing: ${MAILS - (ids.size - baseline)}`);

await feeder.close();
await dispatcher.close();
await sender.close();
await db.destroy();
await store.close();
await new Promise<void>((resolve) => server.close(() => resolve()));
rmSync(dir, { recursive: true, force: true });
