import { lookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from '../application/webhookAddresses.js';
import type {
  WebhookRequest,
  WebhookResponse,
  WebhookSender,
} from '../application/webhookSender.js';

export interface HttpWebhookSenderOptions {
  /** `DOCKET_WEBHOOKS_ALLOW_PRIVATE=1`: private and loopback addresses allowed. @defaultValue false */
  readonly allowPrivate?: boolean;
  /** An attempt that has not been answered in this time has failed. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

const refusedAddress = (host: string, address: string) =>
  Object.assign(new Error(`${host} resolves to ${address}, a private or loopback address`), {
    code: 'EWEBHOOKPRIVATE',
  });

/**
 * Resolves as Node does, then refuses the connection if any address the name resolves to is
 * private: checked where the connection is made, so a name cannot be switched to an internal
 * address between a check and the request (DNS rebinding).
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) return callback(error, '', 0);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused !== undefined) return callback(refusedAddress(hostname, refused.address), '', 0);
    const first = addresses[0];
    if (first === undefined) return callback(new Error(`${hostname} has no address`), '', 0);
    if (options.all === true)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, first.address, first.family);
  });
};

/**
 * Webhook requests over HTTP(S) with Node's own client: kept-alive connections, a time limit
 * per attempt, redirects not followed (a 3xx is a failed attempt), the answer's body ignored.
 * Unless private addresses are allowed, an IP literal in a private range, or a name resolving
 * to one, is refused before connecting.
 */
export class HttpWebhookSender implements WebhookSender {
  readonly #o: HttpWebhookSenderOptions;
  readonly #http = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly #https = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(options: HttpWebhookSenderOptions = {}) {
    this.#o = options;
  }

  send(request: WebhookRequest): Promise<WebhookResponse> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ error: 'not a URL' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const allowPrivate = this.#o.allowPrivate === true;
    if (!allowPrivate && isIP(host) !== 0 && isPrivateAddress(host))
      return Promise.resolve({ error: `${host} is a private or loopback address` });
    const secure = url.protocol === 'https:';
    const timeoutMs = this.#o.timeoutMs ?? 10_000;
    return new Promise<WebhookResponse>((resolve) => {
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.#https : this.#http,
          headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
          signal: AbortSignal.timeout(timeoutMs),
          ...(allowPrivate ? {} : { lookup: guardedLookup }),
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve({
          error:
            error.name === 'AbortError' || error.name === 'TimeoutError'
              ? `no answer within ${timeoutMs} ms`
              : error.message,
        }),
      );
      req.end(request.body);
    });
  }

  close(): Promise<void> {
    this.#http.destroy();
    this.#https.destroy();
    return Promise.resolve();
  }
}
