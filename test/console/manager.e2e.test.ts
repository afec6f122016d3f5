import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './consoleBrowser.js';

describe('the console for managers (headless Chromium)', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await consoleFixture();
  });
  afterAll(() => c.close());

  it('charts the SLA report and downloads it as CSV', async () => {
    const { f } = c;
    const id = await f.open();
    f.clock.advanceTo(f.clock.now() + 3_600_000);
    const res = await f.request('li', {
      method: 'POST',
      url: `/cases/${id}/respond`,
      payload: { message: 'on it' },
    });
    expect(res.statusCode).toBe(200);
    await f.projected();

    const { context, page } = await c.signedIn('rex');
    await page.locator('input[name="from"]').fill('2026-11-01');
    await page.locator('input[name="to"]').fill('2026-11-30');
    await page.getByRole('button', { name: 'Show' }).click();
    await page
      .locator('tr[data-day="2026-11-23"] [data-testid="compliance"]')
      .filter({ hasText: '100 % (1/1)' })
      .waitFor();
    // Two uPlot charts: compliance and the response-time percentiles.
    await page.locator('[data-testid="chart"] canvas').nth(1).waitFor();
    expect(await page.locator('[data-testid="chart"] .u-title').allTextContents()).toEqual([
      'Compliance (%)',
      'Response time percentiles (business hours)',
    ]);
    await c.screenshot(page, 'manager-report');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('sla-2026-11-01-2026-11-30.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toContain('severity');
    expect(csv).toContain('2026-11-23');
    await context.close();
    expect(c.pageErrors).toEqual([]);
  });
});
