import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { builtConsoleDir } from '../../src/http/consoleRoutes.js';
import { httpFixture, type HttpFixture, type Person } from '../specs/httpSpec.js';

/** Debian's Chromium (`.ci/run` installs it when missing); Playwright's own download cannot run here. */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots, kept as test artifacts (git-ignored, never committed). */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Headless Chromium. `launch` starts it on a fresh temporary profile of its own (Playwright
 * refuses a `--user-data-dir` here and deletes that profile on close).
 */
export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs });
};

export interface ConsoleFixture {
  readonly f: HttpFixture;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly browser: Browser;
  /** A new browser context (its own storage: another person's browser) signed in as `who`. */
  signedIn(
    who: Person,
    options?: { locale?: string; timezoneId?: string },
  ): Promise<{ context: BrowserContext; page: Page }>;
  screenshot(page: Page, name: string): Promise<void>;
  /**
   * Uncaught errors, and what the Content-Security-Policy refused, of every page opened by
   * `signedIn` (a test ends by expecting none).
   */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The API with read models, listening on a free port and serving the built console, and a
 * headless Chromium to drive it. The console is built by `npm run build` (npm test does it).
 */
export const consoleFixture = async (): Promise<ConsoleFixture> => {
  if (!existsSync(join(builtConsoleDir(), 'index.html')))
    throw new Error('dist/console is missing: run `npm run build` (npm test does) first');
  const f = await httpFixture({ readModels: true });
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const pageErrors: string[] = [];
  return {
    pageErrors,
    f,
    base,
    browser,
    signedIn: async (who, options = {}) => {
      const context = await browser.newContext({
        locale: options.locale ?? 'en-GB',
        timezoneId: options.timezoneId ?? 'Europe/Paris',
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
      // What the console's Content-Security-Policy refused (a script, a style, a request).
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
          pageErrors.push(`${who}: ${message.text()}`);
      });
      await page.goto(`${base}/console/`);
      await page.locator('input[name="token"]').fill(f.tokens[who]);
      await page.getByRole('button', { name: /sign in|se connecter/i }).click();
      await page.getByTestId('me').waitFor();
      // The live feed is connected: changes from here on reach this page.
      await page.locator('[data-testid="feed-status"][data-live="true"]').waitFor();
      return { context, page };
    },
    screenshot: async (page, name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      await f.close();
    },
  };
};
