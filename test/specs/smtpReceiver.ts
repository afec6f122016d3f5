import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the test server accepted, parsed. */
export interface ReceivedMail {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly messageId: string;
  readonly language: string | undefined;
  readonly text: string;
  readonly html: string;
}

/**
 * A real SMTP server in the test process (`smtp-server` on 127.0.0.1, no TLS, no auth): keeps
 * every mail it accepts, parsed with `mailparser`. `down` refuses each message with a 421
 * (the relay is unavailable), as a relay that is away does; an address in `unknown` is refused
 * with a 550 at RCPT TO, as a relay refuses a mailbox it does not have.
 */
export class SmtpReceiver {
  down = false;
  /** Addresses refused at RCPT TO with a 550 (no such mailbox), as a relay refuses for good. */
  readonly unknown = new Set<string>();
  /** A reply code that refuses each message after its data (`554`: rejected), when set. */
  refuseData: number | undefined = undefined;
  readonly received: ReceivedMail[] = [];
  /** Messages refused after their data (while down, or by `refuseData`). */
  refused = 0;
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<SmtpReceiver> {
    const holder: { self?: SmtpReceiver } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (!holder.self!.unknown.has(address.address.toLowerCase())) return callback();
        const error = Object.assign(new Error('no such mailbox'), { responseCode: 550 });
        callback(error);
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const refusal = holder.self!.down ? 421 : holder.self!.refuseData;
          if (refusal !== undefined) {
            holder.self!.refused++;
            const error = Object.assign(new Error('refused'), { responseCode: refusal });
            callback(error);
            return;
          }
          void simpleParser(Buffer.concat(chunks)).then((mail) => {
            const to = [mail.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
            holder.self!.received.push({
              to,
              from: mail.from?.text ?? '',
              subject: mail.subject ?? '',
              messageId: mail.messageId ?? '',
              language: mail.headers.get('content-language') as string | undefined,
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
            holder.self!.#settle();
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    holder.self = new SmtpReceiver(server);
    return holder.self;
  }

  get url(): string {
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  /** The mails sent to `address`. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address));
  }

  /** Resolves once `count` mails have been accepted in all. */
  arrived(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #settle(): void {
    for (const w of [...this.#waiters])
      if (this.received.length >= w.count) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
