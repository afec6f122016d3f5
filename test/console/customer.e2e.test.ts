import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './consoleBrowser.js';

describe('the console for customer admins (headless Chromium)', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await consoleFixture();
  });
  afterAll(() => c.close());

  it('a customer admin opens a case with the impact assessment and sees the due instant in their zone', async () => {
    const { context, page } = await c.signedIn('ada', { timezoneId: 'America/New_York' });
    await page.getByRole('link', { name: 'Open a case' }).click();
    const proposed = page.getByTestId('proposed-severity');
    await page.getByLabel('minimally affected').check();
    await page.locator('[data-testid="proposed-severity"][data-severity="C"]').waitFor();
    await page.getByLabel('impaired').check();
    await page.locator('[data-testid="proposed-severity"][data-severity="B"]').waitFor();
    expect(await page.locator('select[name="severity"]').inputValue()).toBe('B');
    expect(await proposed.textContent()).toBe('B');

    await page.locator('input[name="title"]').fill('Autodiscover fails for the sales team');
    await page.locator('input[name="contact.name"]').fill('Ada');
    await page.locator('input[name="contact.email"]').fill('ada@contoso.example');
    await page.getByTestId('confirm').click();

    await page.locator('[data-testid="case-state"][data-state="opened"]').waitFor();
    // Opened Monday 10:00 in Beijing, B: due Tuesday 10:00 Beijing = Monday 21:00 in New York (EST).
    const due = page.getByTestId('response-due');
    expect(await due.getAttribute('datetime')).toBe('2026-11-24T02:00:00.000Z');
    expect(await due.textContent()).toMatch(/^Nov 23, 2026, 9:00:00\sPM EST$/);
    const opened = await page.locator('article[data-case-id]').getAttribute('data-case-id');
    await c.screenshot(page, 'customer-opened');

    // Withdraw, rate, reopen: each a button with its form.
    await page.locator('[data-command="withdraw"]').click();
    await page.locator('input[name="reason"]').fill('found the cause ourselves');
    await page.getByTestId('confirm').click();
    await page.locator('[data-testid="case-state"][data-state="resolved"]').waitFor();
    await page.locator('[data-command="submitSurvey"]').click();
    await page.locator('input[name="rating"]').fill('5');
    await page.getByTestId('confirm').click();
    await page.locator('[data-event="SurveySubmitted"]').waitFor();
    await page.locator('[data-command="reopen"]').click();
    await page.locator('input[name="reason"]').fill('it came back');
    await page.getByTestId('confirm').click();
    await page.locator('[data-testid="case-state"][data-state="responded"]').waitFor();

    // Their cases, open and closed, list it.
    await page.getByRole('link', { name: 'My cases' }).click();
    await page.locator(`tr[data-case-id="${opened}"]`).waitFor();
    await context.close();
    expect(c.pageErrors).toEqual([]);
  });
});
