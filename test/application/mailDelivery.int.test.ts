import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookOutboxStore } from '../../src/adapters/webhookOutboxStore.js';
import { MailFanOut } from '../../src/application/mailFanOut.js';
import { OutboxFeeder } from '../../src/application/outboxFeeder.js';
import { timerActor } from '../../src/domain/actor.js';
import { parsed } from '../specs/caseCommands.js';
import { directoryEvent } from '../../src/application/directoryEvent.js';
import { MAIL_CHANNEL } from '../../src/application/mailFanOut.js';
import { TOKENS_STREAM } from '../../src/application/tokenRegistry.js';
import { openBody } from '../specs/httpSpec.js';
import { mailWorld, type MailWorld } from '../specs/mailWorld.js';

/**
 * The e-mail channel end to end, on a virtual clock: the log → mail deliveries (the outbox's
 * `mail` feed) → a real SMTP server in this process, read back with mailparser.
 */
describe('e-mail delivery', () => {
  let w: MailWorld;
  afterEach(() => w.close());

  it('given a case opened, then the contact and the admins get one receipt each, with the due instant in the customer zone and the delivery id as Message-ID', async () => {
    w = await mailWorld();
    await w.person({
      role: 'customer-admin',
      tenant: 'contoso',
      name: 'boss',
      email: 'boss@contoso.example',
      language: 'fr',
    });
    await w.person({
      role: 'customer-admin',
      tenant: 'fabrikam',
      name: 'bo2',
      email: 'bo@fabrikam.example',
    });
    await w.person({ role: 'agent', name: 'li2', email: 'li@support.example' });
    const id = await w.f.open();

    await w.deliverAll();

    expect(
      w.smtp.received
        .map((m) => m.to)
        .flat()
        .sort(),
    ).toEqual(['ada@contoso.example', 'boss@contoso.example']);
    const [receipt] = w.smtp.to('ada@contoso.example');
    expect(receipt!.subject).toBe(`[Docket] We received your case: ${openBody.title}`);
    expect(receipt!.from).toBe('"Docket Support" <support@docket.example>');
    expect(receipt!.language).toBe('en');
    // Opened Monday 10:00 in Beijing; severity B on the 24×7 technical line: due 24 h later,
    // shown in the offering's zone (Shanghai), not in UTC.
    const opened = (await w.f.allEvents()).find((e) => e.type === 'CaseOpened')!;
    expect((opened.data as { responseDueAt: string }).responseDueAt).toBe(
      '2026-11-24T02:00:00.000Z',
    );
    expect(receipt!.text).toContain(
      'An engineer will respond by Tuesday, November 24, 2026 at 10:00 AM GMT+8 (Asia/Shanghai).',
    );
    expect(receipt!.text).toContain(`Case ${id}`);
    expect(receipt!.messageId).toMatch(/^<msg_[A-Za-z0-9_-]{26}@docket\.example>$/);
    const [french] = w.smtp.to('boss@contoso.example');
    expect(french!.language).toBe('fr');
    expect(french!.subject).toBe(`[Docket] Nous avons reçu votre demande : ${openBody.title}`);
    expect(french!.html).toContain('mardi 24 novembre 2026 à 10:00 UTC+8 (Asia/Shanghai)');
    const log = await w.outbox.list(MAIL_CHANNEL, { limit: 10 });
    expect(log.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(log.map((d) => `<${d.id}@docket.example>`).sort()).toEqual(
      w.smtp.received.map((m) => m.messageId).sort(),
    );
  });

  it('given an A case, a response, an internal note and a breach, then agents hear of the A case and the breach, customers of the response, nobody of the note', async () => {
    w = await mailWorld();
    await w.person({ role: 'agent', name: 'li2', email: 'li@support.example' });
    const a = await w.f.open({
      ...openBody,
      severity: 'A',
      title: 'Everything is down',
      businessImpact: 'No one can work.',
      contact: { ...openBody.contact, phone: '+86 10 1234 5678' },
    });
    await w.act('li', a, 'addNote', { text: 'internal: customer seems confused' });
    await w.act('li', a, 'respond', { message: 'We are looking at it.' });
    const b = await w.f.open();
    await w.deliverAll();
    w.f.clock.advanceTo(Date.parse('2026-11-30T02:00:00Z'));
    const breach = await w.f.services.commands.handle(
      parsed({ type: 'checkResponseDeadline', caseId: b, actor: timerActor, input: {} }),
    );
    expect(breach.ok && breach.value.events.map((e) => e.type)).toEqual([
      'ResponseDeadlineBreached',
    ]);
    await w.deliverAll();

    const li = w.smtp.to('li@support.example').map((m) => m.subject);
    expect(li).toEqual([
      '[Docket] New severity A case for contoso: Everything is down',
      `[Docket] Response deadline breached for contoso: ${openBody.title}`,
    ]);
    const ada = w.smtp.to('ada@contoso.example');
    expect(ada.map((m) => m.subject)).toEqual([
      '[Docket] We received your case: Everything is down',
      '[Docket] Response to your case: Everything is down',
      `[Docket] We received your case: ${openBody.title}`,
    ]);
    expect(ada[1]!.text).toContain('We are looking at it.');
    for (const m of w.smtp.received) expect(m.text).not.toContain('internal');
  });

  it('given the SMTP server refuses for a while, then each mail is retried and arrives once', async () => {
    w = await mailWorld();
    w.smtp.down = true;
    await w.f.open();
    await w.f.open();
    await w.fed();
    expect(await w.dispatcher.runDue()).toBe(2);
    expect(w.smtp.refused).toBe(2);
    const [pending] = await w.outbox.list(MAIL_CHANNEL, { limit: 1 });
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 421 });
    w.f.clock.advanceTo(w.f.clock.now() + 749);
    expect(await w.dispatcher.runDue()).toBe(0); // 1 s jittered to 3/4: not due yet
    w.f.clock.advanceTo(w.f.clock.now() + 1);
    expect(await w.dispatcher.runDue()).toBe(2);
    expect(w.smtp.refused).toBe(4);
    w.smtp.down = false;

    await w.deliverAll();

    expect(w.smtp.received).toHaveLength(2);
    const ids = w.smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(2);
  });

  it('given the relay never accepts, then the delivery is dead after the last try', async () => {
    w = await mailWorld();
    w.smtp.down = true;
    await w.f.open();
    await w.deliverAll();
    expect(w.smtp.refused).toBe(4); // testRetryPolicy: 4 attempts
    const [dead] = await w.outbox.list(MAIL_CHANNEL, { limit: 1 });
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, nextAttemptAt: null });
  });

  it('given the relay refuses a recipient for good (550 at RCPT TO), then that mail is dead after one try and the others arrive', async () => {
    w = await mailWorld();
    await w.person({
      role: 'customer-admin',
      tenant: 'contoso',
      name: 'boss',
      email: 'boss@contoso.example',
    });
    w.smtp.unknown.add('boss@contoso.example');
    await w.f.open();

    await w.deliverAll();

    expect(w.smtp.received.flatMap((m) => m.to)).toEqual(['ada@contoso.example']);
    const dead = await w.outbox.list(MAIL_CHANNEL, { limit: 10, status: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastStatus: 550,
      lastError: 'the endpoint answered 550, a permanent refusal',
      nextAttemptAt: null,
    });
    expect(JSON.parse(dead[0]!.payload)).toMatchObject({ to: 'boss@contoso.example' });
  });

  it('given the relay refuses the message with a 5xx after the recipient (554 at DATA), then it is tried again, not dead at once', async () => {
    w = await mailWorld();
    w.smtp.refuseData = 554;
    await w.f.open();
    await w.fed();
    expect(await w.dispatcher.runDue()).toBe(1);
    const [pending] = await w.outbox.list(MAIL_CHANNEL, { limit: 1 });
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 554 });
  });

  it('given the feed replays the log (a restart before its checkpoint moved), then nothing is sent twice', async () => {
    w = await mailWorld();
    await w.f.open();
    await w.deliverAll();
    expect(w.smtp.received).toHaveLength(1);
    await w.feeder.close();
    await sql`update webhook_outbox set position = -1 where name = 'mail'`.execute(w.f.readModels!);
    const again = new OutboxFeeder({
      store: w.f.services.store,
      outbox: w.outbox,
      fanOut: new MailFanOut(w.f.services.store, w.f.services.policies),
      clock: w.f.clock,
      batchMs: 1,
    });
    await again.start();
    await w.f.open();
    let head = 0n;
    for await (const e of w.f.store.readAll({ direction: 'backwards', maxCount: 1 }))
      head = e.position;
    await again.caughtUp(head);
    await again.close();
    await w.dispatcher.runDue();
    expect(w.smtp.received).toHaveLength(2);
    expect(new Set(w.smtp.received.map((m) => m.messageId)).size).toBe(2);
  });

  it('given a person registered before e-mail addresses existed (TokenIssued v1), then it still reads, and gets nothing', async () => {
    w = await mailWorld();
    await w.f.store.append(
      TOKENS_STREAM,
      [
        directoryEvent({ role: 'admin', id: 'root' }, w.f.clock.now(), 'TokenIssued', {
          tokenId: 'old-token',
          role: 'customer-admin',
          tenant: 'contoso',
          name: 'old',
          issuedAt: '2026-01-01T00:00:00.000Z',
          hash: 'x'.repeat(64),
        }),
      ],
      { expectedRevision: 'any' },
    );
    await w.f.open();
    await w.deliverAll();
    expect(w.smtp.received.map((m) => m.to).flat()).toEqual(['ada@contoso.example']);
    expect((await w.f.services.tokens.list()).some((t) => t.tokenId === 'old-token')).toBe(true);
  });

  it('the delivery log: admins read who was sent what and redeliver; nobody else may', async () => {
    w = await mailWorld();
    w.smtp.down = true;
    await w.f.open();
    await w.deliverAll();
    const log = await w.f.request('root', { method: 'GET', url: '/mail/deliveries?status=dead' });
    expect(log.statusCode).toBe(200);
    const [dead] = log.json<{ deliveries: Array<Record<string, unknown>> }>().deliveries;
    expect(dead).toMatchObject({
      to: 'ada@contoso.example',
      language: 'en',
      subject: `[Docket] We received your case: ${openBody.title}`,
      eventType: 'CaseOpened',
      status: 'dead',
      attempts: 4,
      lastStatus: 421,
    });
    for (const who of ['ada', 'li', 'audrey'] as const)
      expect((await w.f.request(who, { method: 'GET', url: '/mail/deliveries' })).statusCode).toBe(
        403,
      );
    w.smtp.down = false;
    const again = await w.f.request('root', {
      method: 'POST',
      url: `/mail/deliveries/${String(dead!.id)}/redeliver`,
    });
    expect(again.statusCode).toBe(202);
    await w.deliverAll();
    expect(w.smtp.received.map((m) => m.messageId)).toEqual([
      `<${String(dead!.id)}@docket.example>`,
    ]);
    const missing = await w.f.request('root', {
      method: 'POST',
      url: '/mail/deliveries/msg_AAAAAAAAAAAAAAAAAAAAAAAAAA/redeliver',
    });
    expect(missing.statusCode).toBe(404);
  });

  it('given e-mail is turned on when cases exist, then it starts at the head of the log: nothing past is mailed', async () => {
    w = await mailWorld();
    await w.feeder.close();
    await w.f.open(); // before e-mail was configured for this database
    const late = new WebhookOutboxStore(w.f.readModels!, {
      feed: 'mail-late',
      startAt: async () => {
        for await (const e of w.f.store.readAll({ direction: 'backwards', maxCount: 1 }))
          return Number(e.position);
        return -1;
      },
    });
    const feeder = new OutboxFeeder({
      store: w.f.services.store,
      outbox: late,
      fanOut: new MailFanOut(w.f.services.store, w.f.services.policies),
      clock: w.f.clock,
      batchMs: 1,
    });
    await feeder.start();
    const id = await w.f.open();
    let head = 0n;
    for await (const e of w.f.store.readAll({ direction: 'backwards', maxCount: 1 }))
      head = e.position;
    await feeder.caughtUp(head);
    await feeder.close();
    await w.dispatcher.runDue();
    expect(w.smtp.received).toHaveLength(1);
    expect(w.smtp.received[0]!.text).toContain(id);
  });

  it('an address and a language are checked where people and tenants are registered; a tenant language reaches its contacts', async () => {
    w = await mailWorld();
    const bad = await w.f.request('root', {
      method: 'POST',
      url: '/tokens',
      payload: { role: 'agent', name: 'x', email: 'not-an-address', language: 'de' },
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ errors: Array<{ path: string }> }>().errors.map((e) => e.path);
    expect(paths.sort()).toEqual(['body.email', 'body.language']);
    const wrong = await w.f.request('root', {
      method: 'PATCH',
      url: '/tenants/contoso',
      payload: { language: 'de' },
    });
    expect(wrong.statusCode).toBe(400);
    const french = await w.f.request('root', {
      method: 'PATCH',
      url: '/tenants/contoso',
      payload: { language: 'fr' },
    });
    expect(french.json()).toMatchObject({ id: 'contoso', language: 'fr' });
    await w.f.open();
    await w.deliverAll();
    expect(w.smtp.to('ada@contoso.example').map((m) => m.language)).toEqual(['fr']);
  });

  it('given the feed restarts after a case was opened, then a later event of that case is mailed with the facts read back from its stream', async () => {
    w = await mailWorld();
    const id = await w.f.open({ ...openBody, title: 'Opened before the restart' });
    await w.deliverAll();
    await w.feeder.close();
    const restarted = new OutboxFeeder({
      store: w.f.services.store,
      outbox: w.outbox,
      fanOut: new MailFanOut(w.f.services.store, w.f.services.policies),
      clock: w.f.clock,
      batchMs: 1,
    });
    await restarted.start();
    await w.act('li', id, 'changeSeverity', { severity: 'C', reason: 'not urgent after all' });
    await w.act('li', id, 'requestInfo', { message: 'Which mailbox?' });
    let head = 0n;
    for await (const e of w.f.store.readAll({ direction: 'backwards', maxCount: 1 }))
      head = e.position;
    await restarted.caughtUp(head);
    await restarted.close();
    await w.dispatcher.runDue();
    const [, asked] = w.smtp.to('ada@contoso.example');
    expect(asked!.subject).toBe(
      '[Docket] Information needed for your case: Opened before the restart',
    );
    expect(asked!.text).toContain('Which mailbox?');
    expect(asked!.text).toContain(`Case ${id}`);
  });
});
