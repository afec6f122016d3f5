import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks form: `whsec_` and a base64 key of 32 bytes. */
export const newWebhookSecret = (): string => `${PREFIX}${randomBytes(32).toString('base64')}`;

/** The key bytes of a `whsec_<base64>` secret. */
const keyOf = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');

/**
 * The `webhook-signature` header of a delivery attempt (Standard Webhooks): `v1,` and the
 * base64 HMAC-SHA256, under the secret's key bytes, of `<webhook-id>.<webhook-timestamp>.<body>`.
 */
export const signWebhook = (
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string =>
  `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
