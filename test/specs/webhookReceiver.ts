import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got, and how it answered (`hung`: not at all, `reset`: cut). */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly answer: number | 'hung' | 'reset';
}

/**
 * How the receiver answers: `up` 200, `unavailable` 503, `gone` 410, `down` cuts the connection
 * without an answer, `hang` never answers (until closed).
 */
export type ReceiverMode = 'up' | 'unavailable' | 'gone' | 'down' | 'hang';

const answers = { up: 200, unavailable: 503, gone: 410 } as const;

/** A webhook receiver in the test process (node:http on 127.0.0.1): records every request. */
export class WebhookReceiver {
  mode: ReceiverMode = 'up';
  readonly received: ReceivedWebhook[] = [];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly #hung: ServerResponse[] = [];

  private constructor(private readonly server: Server) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  static async start(port = 0): Promise<WebhookReceiver> {
    const server = createServer({ keepAliveTimeout: 60_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new WebhookReceiver(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests answered 200, by `webhook-id`. */
  deliveredIds(path?: string): string[] {
    return this.received
      .filter((r) => r.answer === 200 && (path === undefined || r.path === path))
      .map((r) => r.headers['webhook-id']!);
  }

  /** Resolves once `count` requests have arrived in all. */
  arrived(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const mode = this.mode;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    const answer = mode === 'hang' ? 'hung' : mode === 'down' ? 'reset' : answers[mode];
    this.received.push({ path: req.url ?? '', headers, body, answer });
    if (mode === 'hang') this.#hung.push(res);
    else if (mode === 'down') req.socket.destroy();
    else res.writeHead(answers[mode]).end();
    for (const w of this.#waiters.filter((w) => this.received.length >= w.count)) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}
