import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { mailOf } from '../application/mailChannel.js';
import type {
  WebhookRequest,
  WebhookResponse,
  WebhookSender,
} from '../application/webhookSender.js';

export interface SmtpMailSenderOptions {
  /** `smtp://user:pass@host:587`, `smtps://…:465` (nodemailer's connection URL). */
  readonly url: string;
  /** The `From:` of every mail, `Docket <support@example.com>`. */
  readonly from: string;
  /** How long to wait for a connection, a greeting, or the socket. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

/** The domain of the `From:` address: the right part of Message-IDs. */
const domainOf = (from: string): string => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'docket.invalid';

/**
 * Sends the e-mail channel's deliveries over SMTP with nodemailer (a pooled connection). The
 * delivery id is the Message-ID's left part, so every attempt of one delivery carries the same
 * Message-ID and a resend is recognisable. A reply of the relay is an answer (`250` accepted,
 * `4xx`/`5xx` refused, a `5xx` to the recipient for good); no connection or no answer is an
 * error. Never throws.
 */
export class SmtpMailSender implements WebhookSender {
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo>;
  readonly #from: string;
  readonly #domain: string;

  constructor(options: SmtpMailSenderOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.#transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: 4,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    } as SMTPTransport.Options);
    this.#from = options.from;
    this.#domain = domainOf(options.from);
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const mail = mailOf(request);
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@${this.#domain}>`,
        headers: {
          'Content-Language': mail.language,
          'Auto-Submitted': 'auto-generated',
          'X-Docket-Delivery': mail.id,
        },
      });
      return { status: Number(/^\d{3}/.exec(info.response)?.[0] ?? 250) };
    } catch (error) {
      const e = error as { responseCode?: number; message?: string; command?: string };
      // A 5xx to RCPT TO refuses the recipient for good (no such mailbox): dead at once. Other
      // refusals, 5xx included (a rejected login or sender), are the relay's or its settings',
      // and may pass once those are fixed: tried again.
      if (typeof e.responseCode === 'number')
        return e.responseCode >= 500 && e.command === 'RCPT TO'
          ? { status: e.responseCode, permanent: true }
          : { status: e.responseCode };
      return { error: `SMTP: ${e.message ?? String(error)}` };
    }
  }

  close(): Promise<void> {
    this.#transport.close();
    return Promise.resolve();
  }
}
