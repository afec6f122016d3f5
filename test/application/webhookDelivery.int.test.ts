import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookFeeder } from '../../src/application/webhookFeeder.js';
import { webhookWorld, verifyWebhook, type WebhookWorld } from '../specs/webhookWorld.js';

/**
 * The outbox end to end, on a virtual clock: the log → deliveries (feeder) → signed POSTs to a
 * receiver in this process (dispatcher), retries, dead letters, redelivery, disabling.
 */
describe('webhook delivery', () => {
  let w: WebhookWorld;
  afterEach(() => w.close());

  const payloadOf = (body: string) =>
    JSON.parse(body) as { type: string; data: { caseId: string; tenant: string; event: unknown } };
  const nowSeconds = () => Math.floor(w.f.clock.now() / 1000);

  it('given an operator endpoint and a tenant endpoint, when cases move, then each gets one signed delivery per event it may see', async () => {
    w = await webhookWorld();
    const all = await w.register('root', {
      url: w.receiver.url('/all'),
      events: ['CaseOpened', 'AgentResponded', 'NoteAdded'],
    });
    const contoso = await w.register('ada', {
      url: w.receiver.url('/contoso'),
      events: ['CaseOpened', 'AgentResponded'],
    });
    const mine = await w.f.open();
    const theirs = await w.f.open(); // opened by ada too, then one of fabrikam's:
    const fabrikam = (
      await w.f.request('bo', {
        method: 'POST',
        url: '/cases',
        payload: {
          line: 'technical',
          severity: 'B',
          category: 'sso',
          title: 'Fabrikam secret outage',
          contact: { name: 'Bo', email: 'bo@fabrikam.example' },
        },
      })
    ).json<{ case: { id: string } }>().case.id;
    await w.act('li', mine, 'respond', { message: 'on it' });
    await w.act('li', fabrikam, 'respond', { message: 'on it' });
    await w.act('li', mine, 'addNote', { text: 'internal only' });
    await w.act('li', theirs, 'assign', { agent: 'li' }); // nobody subscribed to CaseAssigned

    await w.deliverAll();

    const at = (path: string) => w.receiver.received.filter((r) => r.path === path);
    expect(
      at('/all')
        .map((r) => payloadOf(r.body).type)
        .sort(),
    ).toEqual([
      'AgentResponded',
      'AgentResponded',
      'CaseOpened',
      'CaseOpened',
      'CaseOpened',
      'NoteAdded',
    ]);
    expect(
      at('/contoso')
        .map((r) => payloadOf(r.body).type)
        .sort(),
    ).toEqual(['AgentResponded', 'CaseOpened', 'CaseOpened']);
    for (const r of at('/contoso')) {
      expect(payloadOf(r.body).data.tenant).toBe('contoso');
      expect(r.body).not.toContain('abrikam');
      expect(verifyWebhook(contoso.secret, r, nowSeconds())).toBe(true);
      expect(verifyWebhook(all.secret, r, nowSeconds())).toBe(false);
    }
    for (const r of at('/all')) expect(verifyWebhook(all.secret, r, nowSeconds())).toBe(true);
    const ids = w.receiver.deliveredIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^msg_[A-Za-z0-9_-]{26}$/.test(id))).toBe(true);
    const first = payloadOf(at('/contoso')[0]!.body);
    expect(first).toMatchObject({ type: 'CaseOpened', data: { caseId: mine, tenant: 'contoso' } });
  });

  it('given the receiver is down for a while, then deliveries are retried and each arrives once', async () => {
    w = await webhookWorld();
    await w.register('root', { url: w.receiver.url(), events: ['CaseOpened'] });
    w.receiver.mode = 'down';
    const cases = [await w.f.open(), await w.f.open(), await w.f.open()];
    await w.fed();
    expect(await w.dispatcher.runDue()).toBe(3);
    w.receiver.mode = 'unavailable';
    const firstRetry = w.f.clock.now() + 750; // 1 s, jittered to 3/4
    w.f.clock.advanceTo(firstRetry - 1);
    expect(await w.dispatcher.runDue()).toBe(0); // not due yet
    w.f.clock.advanceTo(firstRetry);
    expect(await w.dispatcher.runDue()).toBe(3);
    w.receiver.mode = 'up';

    await w.deliverAll();

    expect(w.receiver.received.map((r) => r.answer)).toEqual([
      ...Array<string>(3).fill('reset'),
      ...Array<number>(3).fill(503),
      ...Array<number>(3).fill(200),
    ]);
    const delivered = w.receiver.deliveredIds();
    expect(new Set(delivered).size).toBe(3);
    // Every attempt of a delivery carried the same id.
    expect(new Set(w.receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(3);
    const caseIds = w.receiver.received
      .filter((r) => r.answer === 200)
      .map((r) => payloadOf(r.body).data.caseId);
    expect(caseIds.sort()).toEqual([...cases].sort());
  });

  it('given the receiver never answers well, then the delivery is dead after the last try, and a redelivery sends it again', async () => {
    w = await webhookWorld();
    const endpoint = await w.register('root', { url: w.receiver.url(), events: ['CaseOpened'] });
    w.receiver.mode = 'unavailable';
    await w.f.open();
    await w.deliverAll();
    expect(w.receiver.received).toHaveLength(4);
    const log = await w.f.request('root', { url: `/webhooks/${endpoint.id}/deliveries` });
    const [dead] = log.json<{ deliveries: Array<Record<string, unknown>> }>().deliveries;
    expect(dead).toMatchObject({
      status: 'dead',
      attempts: 4,
      lastStatus: 503,
      lastError: 'the endpoint answered 503',
      nextAttemptAt: null,
    });

    w.receiver.mode = 'up';
    const again = await w.f.request('root', {
      method: 'POST',
      url: `/webhooks/${endpoint.id}/deliveries/${dead!.id as string}/redeliver`,
    });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ status: 'pending', attempts: 4 });
    await w.deliverAll();
    expect(w.receiver.deliveredIds()).toEqual([dead!.id]);
    const after = await w.f.request('root', {
      url: `/webhooks/${endpoint.id}/deliveries?status=delivered`,
    });
    expect(after.json()).toMatchObject({ deliveries: [{ status: 'delivered', attempts: 5 }] });
  });

  it('given an endpoint failing for longer than disableAfterMs, then it is disabled, and held deliveries go out once it is enabled', async () => {
    w = await webhookWorld({ disableAfterMs: 3_600_000 });
    const endpoint = await w.register('root', { url: w.receiver.url(), events: ['CaseOpened'] });
    w.receiver.mode = 'unavailable';
    await w.f.open();
    await w.deliverAll(); // dead after 4 tries, a few seconds: not disabled yet
    expect((await w.f.webhooks!.registry.all()).get(endpoint.id)?.disabled).toBeUndefined();
    w.f.clock.advanceTo(w.f.clock.now() + 3_600_000);
    const held = await w.f.open();
    await w.deliverAll();
    const view = await w.f.request('root', { url: `/webhooks/${endpoint.id}` });
    expect(view.json()).toMatchObject({ status: 'disabled', disabled: { reason: 'failing' } });
    const attempts = w.receiver.received.length;
    expect(attempts).toBe(5); // 4 for the first case, 1 for the second, then disabled

    await w.f.open(); // recorded while disabled: not for this endpoint
    await w.deliverAll();
    expect(w.receiver.received).toHaveLength(attempts);

    w.receiver.mode = 'up';
    const enabled = await w.f.request('ada', {
      method: 'POST',
      url: `/webhooks/${endpoint.id}/enable`,
    });
    expect(enabled.statusCode).toBe(404); // not ada's: an operator's endpoint
    await w.f.request('root', { method: 'POST', url: `/webhooks/${endpoint.id}/enable` });
    await w.deliverAll();
    expect(
      w.receiver.received.filter((r) => r.answer === 200).map((r) => payloadOf(r.body).data.caseId),
    ).toEqual([held]);
  });

  it('given an endpoint answers 410 Gone, then it is disabled at once', async () => {
    w = await webhookWorld();
    const endpoint = await w.register('root', { url: w.receiver.url(), events: ['CaseOpened'] });
    w.receiver.mode = 'gone';
    await w.f.open();
    await w.deliverAll();
    expect(w.receiver.received).toHaveLength(1);
    expect((await w.f.webhooks!.registry.all()).get(endpoint.id)?.disabled?.reason).toBe('failing');
  });

  it('given the log is turned into deliveries again (a restart before the checkpoint), then the same ids are kept once', async () => {
    w = await webhookWorld();
    await w.register('root', { url: w.receiver.url(), events: ['CaseOpened'] });
    await w.f.open();
    await w.f.open();
    await w.fed();
    await w.feeder.close();
    const db = w.f.readModels!;
    await sql`update webhook_outbox set position = -1`.execute(db);
    const again = new WebhookFeeder({
      store: w.f.services.store,
      outbox: w.outbox,
      tenantOf: (id) => w.f.services.cases.tenantOf(id),
      clock: w.f.clock,
      batchMs: 1,
    });
    await again.start();
    const third = await w.f.open();
    let head = 0n;
    for await (const e of w.f.store.readAll({ direction: 'backwards', maxCount: 1 }))
      head = e.position;
    await again.caughtUp(head);
    await again.close();
    const rows = await sql<{ n: number }>`select count(*) as n from webhook_deliveries`.execute(db);
    expect(Number(rows.rows[0]!.n)).toBe(3);
    await w.dispatcher.runDue();
    expect(w.receiver.deliveredIds()).toHaveLength(3);
    expect(payloadOf(w.receiver.received.at(-1)!.body).data.caseId).toBe(third);
  });
});
