import type { WebhookDispatcherOptions } from './webhookDispatcher.js';
import type { WebhookEndpoint, WebhookEndpoints } from './webhookEndpoints.js';
import { MAIL_CHANNEL } from './mailFanOut.js';
import type { MailMessage } from './mailMessages.js';
import type { WebhookDelivery } from './webhookOutbox.js';
import type { WebhookRequest } from './webhookSender.js';

/**
 * The SMTP relay as the outbox's one e-mail endpoint: every mail delivery goes to it, so the
 * webhook dispatcher (due deliveries, attempts, retries with backoff and jitter, dead letters)
 * sends e-mail as it is. It is never disabled: a relay that keeps failing leaves deliveries
 * retrying, then dead.
 */
const relay: WebhookEndpoint = {
  id: MAIL_CHANNEL,
  url: 'smtp:',
  events: [],
  secret: '',
  createdAt: '1970-01-01T00:00:00.000Z',
};

export const mailEndpoints: WebhookDispatcherOptions['endpoints'] = {
  all: () => Promise.resolve<WebhookEndpoints>(new Map([[MAIL_CHANNEL, relay]])),
  disable: () => Promise.resolve(undefined),
};

/** A mail delivery as the sender gets it: the rendered message, unsigned. */
export const mailRequest = (
  _endpoint: WebhookEndpoint,
  delivery: WebhookDelivery,
): WebhookRequest => ({ url: relay.url, headers: {}, body: delivery.payload });

/** The mail a delivery's payload holds. */
export const mailOf = (request: WebhookRequest): MailMessage =>
  JSON.parse(request.body) as MailMessage;

/** The dispatcher's options for the e-mail channel over those given. */
export const mailDispatcherOptions = (
  options: Omit<WebhookDispatcherOptions, 'endpoints' | 'request' | 'disableAfterMs'>,
): WebhookDispatcherOptions => ({
  ...options,
  endpoints: mailEndpoints,
  request: mailRequest,
  disableAfterMs: Number.POSITIVE_INFINITY,
});
