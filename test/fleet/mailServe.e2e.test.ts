import { afterAll, describe, expect, it } from 'vitest';
import { SmtpReceiver } from '../specs/smtpReceiver.js';
import { customerToken, DocketProcess, eventually, killAll, openCase, tempDir } from './fleet.js';

/**
 * `docket serve` with DOCKET_SMTP_URL pointing at a real SMTP server in the test: a case opened
 * over HTTP makes a receipt for its contact and one for each admin with an address (one in
 * French), each once by Message-ID, even when the relay refuses the first attempts.
 */
const SENDING = /^mail: this process sends the e-mail notifications/;

describe('e-mail through docket serve', () => {
  const dir = tempDir('mail');
  let smtp: SmtpReceiver | undefined;

  afterAll(async () => {
    await killAll();
    await smtp?.close();
    dir.remove();
  });

  it('given the relay refuses at first, when a case is opened, then each receipt is retried and arrives once', async () => {
    smtp = await SmtpReceiver.start();
    const env = {
      DOCKET_DATA_DIR: dir.path,
      DOCKET_SMTP_URL: smtp.url,
      DOCKET_MAIL_FROM: 'Docket <support@docket.example>',
    };
    const serve = await DocketProcess.start('serve-mail', 'api,timers,projector', env);
    const admin = serve.adminToken!;
    await serve.waitForLog(SENDING);
    const ada = await customerToken(serve.url, admin);
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const issued = await fetch(`${serve.url}/tokens`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        role: 'customer-admin',
        tenant: 'contoso',
        name: 'chef',
        email: 'chef@contoso.example',
        language: 'fr',
      }),
    });
    expect(issued.status).toBe(201);
    expect(await issued.json()).toMatchObject({ email: 'chef@contoso.example', language: 'fr' });

    smtp.down = true;
    const opened = await openCase(serve.url, ada);
    await eventually('the relay refused both receipts once', () =>
      smtp!.refused >= 2 ? true : undefined,
    );
    smtp.down = false;
    await eventually(
      'both receipts accepted',
      () => (smtp!.received.length >= 2 ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const to = smtp.received.flatMap((m) => m.to).sort();
    expect(to).toEqual(['ada@contoso.example', 'chef@contoso.example']);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(2);
    const french = smtp.to('chef@contoso.example')[0]!;
    expect(french.language).toBe('fr');
    expect(french.text).toContain(opened.id);
    const due = new Date(opened.dueAt);
    expect(smtp.to('ada@contoso.example')[0]!.text).toContain(
      `${due.toLocaleString('en-US', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' })} GMT+8 (Asia/Shanghai)`,
    );
    await serve.kill('SIGTERM');
  });
});
