import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBody } from '../specs/httpSpec.js';
import { consoleFixture, type ConsoleFixture } from './consoleBrowser.js';

describe('the console for agents (headless Chromium)', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await consoleFixture();
  });
  afterAll(() => c.close());

  it('an agent signs in, takes a case from the queue, responds and sees the state change', async () => {
    const id = await c.f.open();
    await c.f.projected();
    const { context, page } = await c.signedIn('li');
    const row = page.locator(`tr[data-case-id="${id}"]`);
    await row.waitFor();
    // Monday 10:00 in Beijing: the response clock runs.
    await row.locator('[data-testid="countdown"][data-status="running"]').waitFor();
    await c.screenshot(page, 'agent-queue');

    await row.getByRole('link').click();
    const state = page.getByTestId('case-state');
    await page.locator('[data-testid="case-state"][data-state="opened"]').waitFor();
    await page.locator('[data-command="assign"]').click();
    expect(await page.locator('input[name="agent"]').inputValue()).toBe('li');
    await page.getByTestId('confirm').click();
    await page.getByTestId('case-assignee').filter({ hasText: 'li' }).waitFor();

    await page.locator('[data-command="respond"]').click();
    await page.locator('textarea[name="message"]').fill('Autodiscover record fixed; please retry.');
    await page.getByTestId('confirm').click();
    await page.locator('[data-testid="case-state"][data-state="responded"]').waitFor();
    expect(await state.textContent()).toBe('Responded');
    await page.locator('[data-event="AgentResponded"]').waitFor();
    await c.screenshot(page, 'agent-case-responded');
    await context.close();
    expect(c.pageErrors).toEqual([]);
  });

  it('two browsers see each other’s changes live, without reloading', async () => {
    const id = await c.f.open({ ...openBody, title: 'Teams calls drop' });
    await c.f.projected();
    const li = await c.signedIn('li');
    const mei = await c.signedIn('mei');
    const liRow = li.page.locator(`tr[data-case-id="${id}"]`);
    await liRow.waitFor();
    await mei.page.goto(`${c.base}/console/#/cases/${id}`);
    await mei.page.locator('[data-testid="case-state"][data-state="opened"]').waitFor();

    // Mei takes the case: it leaves Li's unassigned queue.
    await mei.page.locator('[data-command="assign"]').click();
    await mei.page.getByTestId('confirm').click();
    await liRow.waitFor({ state: 'detached' });

    // Li opens the case and responds; Mei's page follows.
    await li.page.goto(`${c.base}/console/#/cases/${id}`);
    await li.page.getByTestId('case-assignee').filter({ hasText: 'mei' }).waitFor();
    await li.page.locator('[data-command="respond"]').click();
    await li.page.locator('textarea[name="message"]').fill('Looking at the call quality logs.');
    await li.page.getByTestId('confirm').click();
    await mei.page.locator('[data-testid="case-state"][data-state="responded"]').waitFor();
    await mei.page.locator('[data-event="AgentResponded"]').waitFor();
    await c.screenshot(mei.page, 'two-browsers-mei');
    await li.context.close();
    await mei.context.close();
    expect(c.pageErrors).toEqual([]);
  });
});
