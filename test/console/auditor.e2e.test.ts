import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './consoleBrowser.js';

const hour = 3_600_000;
/** An SVG line can have no area (a vertical one): present in the DOM is what counts. */
const attached = { state: 'attached' } as const;

describe('the console for auditors (headless Chromium)', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await consoleFixture();
  });
  afterAll(() => c.close());

  it('an auditor moves the time slider and the state shown changes', async () => {
    const { f } = c;
    const id = await f.open();
    const act = async (command: string, payload: object) => {
      f.clock.advanceTo(f.clock.now() + hour);
      const res = await f.request('li', {
        method: 'POST',
        url: `/cases/${id}/${command}`,
        payload,
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    await act('respond', { message: 'Fixed the record.' });
    await act('resolve', { reason: 'fixed', summary: 'Autodiscover record corrected.' });

    const { context, page } = await c.signedIn('audrey');
    await page.goto(`${c.base}/console/#/cases/${id}`);
    const state = (s: string) => page.locator(`[data-testid="case-state"][data-state="${s}"]`);
    await state('resolved').waitFor();
    await page.locator('[data-testid="verification"][data-intact="true"]').waitFor();
    // The path this case took is drawn on the machine's statechart.
    await page.locator('[data-transition="opened>responded"][data-taken="true"]').waitFor(attached);
    await page
      .locator('[data-transition="responded>resolved"][data-taken="true"]')
      .waitFor(attached);
    await page.locator('[data-transition="opened>resolved"][data-taken="false"]').waitFor(attached);
    expect(await page.locator('[data-event]').count()).toBe(3);
    await c.screenshot(page, 'auditor-resolved');

    // By keyboard: to the first event, then one step on.
    const slider = page.getByLabel('Event', { exact: true });
    await slider.focus();
    await slider.press('Home');
    await state('opened').waitFor();
    await page.locator('[data-state-node="opened"][data-current="true"]').waitFor();
    await page
      .locator('[data-transition="opened>responded"][data-taken="false"]')
      .waitFor(attached);
    await slider.press('ArrowRight');
    await state('responded').waitFor();
    expect(await page.getByTestId('at-event').textContent()).toContain('AgentResponded');
    await c.screenshot(page, 'auditor-slider');
    await context.close();
    expect(c.pageErrors).toEqual([]);
  });
});
