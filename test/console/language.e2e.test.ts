import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './consoleBrowser.js';

/**
 * Form controls without a label (a `<label>` or aria-label), by name. Run in the page, so
 * written as its source: the tests are compiled without the DOM's types.
 */
const unlabelled = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.labels.length === 0 && !el.hasAttribute('aria-label') && !el.closest('label'))
    .map((el) => el.getAttribute('name') ?? el.outerHTML)`);

describe('the console in English and French, by keyboard, with labelled controls', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await consoleFixture();
  });
  afterAll(() => c.close());

  it('follows a French browser, switches language, and keeps the automation hooks', async () => {
    const context = await c.browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${c.base}/console/`);
    // The app sets `lang` in an effect, after the render that shows the text: wait for it.
    await page.locator('html[lang="fr"]').waitFor({ state: 'attached' });
    // Signed in by keyboard alone: the token field, then Enter.
    await page.getByLabel('Jeton d’API').focus();
    await page.keyboard.type(c.f.tokens.ada);
    await page.keyboard.press('Enter');
    await page.getByTestId('me').waitFor();
    await page.getByRole('link', { name: 'Ouvrir une demande' }).click();
    await page.locator('form[data-form="open"]').waitFor();
    expect(await unlabelled(page)).toEqual([]);
    await page.getByLabel('peu affecté').check();
    await page.locator('[data-testid="proposed-severity"][data-severity="C"]').waitFor();
    await c.screenshot(page, 'french-open');

    const id = await c.f.open();
    await page.goto(`${c.base}/console/#/cases/${id}`);
    const state = page.locator('[data-testid="case-state"][data-state="opened"]');
    await state.filter({ hasText: 'Ouverte' }).waitFor();
    await page.locator('[data-command="withdraw"]').click();
    expect(await unlabelled(page)).toEqual([]);
    await page.getByLabel('Langue').selectOption('en');
    await state.filter({ hasText: 'Opened' }).waitFor();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Withdraw' }).waitFor();
    await context.close();
  });

  it('shows keyboard focus', async () => {
    const { context, page } = await c.signedIn('li');
    await page.locator('[data-queue="unassigned"]').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(`document.activeElement.getAttribute('data-queue')`)).toBe('mine');
    const outline = await page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`);
    expect(outline).toBe('solid');
    await context.close();
    expect(c.pageErrors).toEqual([]);
  });
});
