import { afterAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../specs/webhookReceiver.js';
import { customerToken, DocketProcess, eventually, killAll, openCase, tempDir } from './fleet.js';

/**
 * `docket serve` is SIGKILLed while its webhooks are on the wire (the receiver holds every
 * request unanswered): after a restart on the same data directory, each event's delivery
 * arrives, under the id it carried before the kill, and none is lost.
 */
const CASES = 5;
const DELIVERING = /^webhooks: this process delivers/;

describe('webhooks survive a SIGKILL mid-delivery', () => {
  const dir = tempDir('webhooks');
  let receiver: WebhookReceiver | undefined;

  afterAll(async () => {
    await killAll();
    await receiver?.close();
    dir.remove();
  });

  it('delivers after a restart what was in flight when the process died', async () => {
    receiver = await WebhookReceiver.start();
    const env = { DOCKET_DATA_DIR: dir.path, DOCKET_WEBHOOKS_ALLOW_PRIVATE: '1' };
    const first = await DocketProcess.start('serve-1', 'api,timers,projector', env);
    const admin = first.adminToken!;
    await first.waitForLog(DELIVERING);
    const registered = await fetch(`${first.url}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url(), events: ['CaseOpened'] }),
    });
    expect(registered.status).toBe(201);
    const ada = await customerToken(first.url, admin);

    receiver.mode = 'hang';
    const opened: string[] = [];
    for (let i = 0; i < CASES; i++) opened.push((await openCase(first.url, ada)).id);
    await receiver.arrived(CASES); // every delivery is on the wire, none answered
    await first.kill('SIGKILL');
    const inFlight = receiver.received.map((r) => r.headers['webhook-id']!);
    expect(new Set(inFlight).size).toBe(CASES);

    receiver.mode = 'up';
    const second = await DocketProcess.start('serve-2', 'api,timers,projector', env);
    await second.waitForLog(DELIVERING);
    await eventually(
      `${CASES} deliveries answered 200`,
      () => (receiver!.deliveredIds().length >= CASES ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const delivered = receiver.deliveredIds();
    expect([...delivered].sort()).toEqual([...inFlight].sort());
    const cases = receiver.received
      .filter((r) => r.answer === 200)
      .map((r) => (JSON.parse(r.body) as { data: { caseId: string } }).data.caseId);
    expect(cases.sort()).toEqual([...opened].sort());
    await second.kill('SIGTERM');
  });
});
