import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../src/adapters/httpWebhookSender.js';
import { WebhookReceiver } from '../specs/webhookReceiver.js';

describe('HTTP webhook sender', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(() => receiver.close());

  const request = (url: string) => ({
    url,
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_x' },
    body: '{"a":1}',
  });

  it('posts the body with the headers and reports the status', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true });
    receiver.mode = 'unavailable';
    expect(await sender.send(request(receiver.url('/one')))).toEqual({ status: 503 });
    receiver.mode = 'up';
    expect(await sender.send(request(receiver.url('/two')))).toEqual({ status: 200 });
    expect(receiver.received.at(-1)).toMatchObject({
      path: '/two',
      body: '{"a":1}',
      headers: { 'webhook-id': 'msg_x', 'content-type': 'application/json' },
    });
    await sender.close();
  });

  it('refuses private addresses, literal or resolved, before connecting (SSRF)', async () => {
    const sender = new HttpWebhookSender();
    const before = receiver.received.length;
    const literal = await sender.send(request(receiver.url()));
    expect(literal).toEqual({ error: '127.0.0.1 is a private or loopback address' });
    const named = await sender.send(request(`http://localhost:${receiver.port}/hook`));
    expect(named).toEqual({
      error: expect.stringMatching(
        /^localhost resolves to (127\.0\.0\.1|::1), a private or loopback address$/,
      ),
    });
    expect(receiver.received.length).toBe(before);
    await sender.close();
  });

  it('gives up on an endpoint that does not answer in time, and on a cut connection', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 200 });
    receiver.mode = 'hang';
    expect(await sender.send(request(receiver.url()))).toEqual({
      error: 'no answer within 200 ms',
    });
    receiver.mode = 'down';
    expect(await sender.send(request(receiver.url()))).toEqual({
      error: expect.stringMatching(/socket hang up|ECONNRESET/),
    });
    await sender.close();
  });
});
