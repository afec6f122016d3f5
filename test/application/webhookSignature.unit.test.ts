import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook } from '../../src/application/webhookSignature.js';

/** The verification recipe of docs/notifications.md, word for word: node:crypto only. */
const verify = (
  secret: string,
  headers: Record<string, string>,
  body: string,
  nowSeconds: number,
): boolean => {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (id === undefined || timestamp === undefined || signatures === undefined) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 5 * 60) return false; // replayed or stale
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
};

describe('webhook signatures (Standard Webhooks)', () => {
  it('matches the Standard Webhooks reference vector', () => {
    // From the reference libraries' tests (standard-webhooks, svix).
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('given a new secret, when a body is signed, then the documented recipe verifies it', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'CaseOpened', data: { caseId: 'c1' } });
    const headers = {
      'webhook-id': 'msg_abc',
      'webhook-timestamp': '1764500000',
      'webhook-signature': signWebhook(secret, 'msg_abc', 1764500000, body),
    };
    expect(verify(secret, headers, body, 1764500010)).toBe(true);
  });

  it('then a changed body, id, timestamp or secret does not verify, nor a stale timestamp', () => {
    const secret = newWebhookSecret();
    const body = '{"a":1}';
    const headers = {
      'webhook-id': 'msg_abc',
      'webhook-timestamp': '1764500000',
      'webhook-signature': signWebhook(secret, 'msg_abc', 1764500000, body),
    };
    expect(verify(secret, headers, '{"a":2}', 1764500000)).toBe(false);
    expect(verify(secret, { ...headers, 'webhook-id': 'msg_abd' }, body, 1764500000)).toBe(false);
    expect(
      verify(secret, { ...headers, 'webhook-timestamp': '1764500001' }, body, 1764500000),
    ).toBe(false);
    expect(verify(newWebhookSecret(), headers, body, 1764500000)).toBe(false);
    expect(verify(secret, headers, body, 1764500000 + 301)).toBe(false);
  });
});
