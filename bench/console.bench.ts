/**
 * The console (issue #18), figures only (CI asserts none):
 * 1. First load, cold cache: a fresh browser context (nothing cached, the token already in its
 *    session storage) loads /console/ with OPEN_CASES open cases (default 1,000) until the
 *    agent's queue is interactive: its first page of rows drawn, each with its live countdown.
 *    Transfer size (the console's files, and the API's answers) and time, LOADS runs; beside
 *    them, the raw `GET /cases` of that queue page fetched from Node (no browser).
 * 2. Queue update latency: agent A watches the unassigned queue; agent B, in another browser
 *    context, assigns A's top case with a fetch from B's page; latency = from B's send to the
 *    row leaving A's queue (both instants read from each page's performance.timeOrigin + now,
 *    the same machine clock). UPDATES runs; target p99 ≤ 500 ms. Beside it: B's command round
 *    trip alone.
 * The server is the test fixture's: memory store, SQLite read models in memory, a projector
 * with a 1 ms batch, on localhost. Print `uptime` beside the figures: they swing 2x here.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { consoleFixture } from '../test/console/consoleBrowser.js';
import { openBody } from '../test/specs/httpSpec.js';

const OPEN_CASES = Number(process.env.OPEN_CASES ?? 1_000);
const LOADS = Number(process.env.LOADS ?? 5);
const UPDATES = Number(process.env.UPDATES ?? 50);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const kb = (x: number) => `${(x / 1024).toFixed(1)} kB`;
const summary = (xs: number[]) =>
  `p50 ${ms(quantile(xs, 0.5))}  p99 ${ms(quantile(xs, 0.99))}  max ${ms(Math.max(...xs))}`;

const c = await consoleFixture();
const { f, base, browser } = c;
try {
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (let i = 0; i < OPEN_CASES; i++) await f.open({ ...openBody, title: `Case ${i}` });
  await f.projected();
  const queueQuery =
    '/cases?state=opened,responded,awaitingCustomer,downgraded&unassigned=true&sort=due&limit=50';

  // 1. First load, cold.
  const loadTimes: number[] = [];
  const assetBytes: number[] = [];
  const apiBytes: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    await context.addInitScript(
      `sessionStorage.setItem('docket.token', ${JSON.stringify(f.tokens.li)})`,
    );
    const page = await context.newPage();
    const sizes: Promise<{ asset: boolean; bytes: number }>[] = [];
    page.on('requestfinished', (request) =>
      sizes.push(
        request.sizes().then((s) => ({
          asset: new URL(request.url()).pathname.startsWith('/console'),
          bytes: s.responseBodySize + s.responseHeadersSize,
        })),
      ),
    );
    const started = performance.now();
    await page.goto(`${base}/console/`);
    await page.locator('tr[data-case-id]').first().waitFor();
    await page.waitForFunction(
      `[...document.querySelectorAll('tr[data-case-id]')].every((r) => r.querySelector('[data-testid="countdown"]'))`,
    );
    loadTimes.push(performance.now() - started);
    const done = await Promise.all(sizes);
    assetBytes.push(done.filter((s) => s.asset).reduce((a, s) => a + s.bytes, 0));
    apiBytes.push(done.filter((s) => !s.asset).reduce((a, s) => a + s.bytes, 0));
    await context.close();
  }
  const raw: number[] = [];
  let rawBytes = 0;
  for (let i = 0; i < LOADS * 4; i++) {
    const started = performance.now();
    const res = await fetch(base + queueQuery, {
      headers: { authorization: `Bearer ${f.tokens.li}` },
    });
    rawBytes = (await res.arrayBuffer()).byteLength;
    raw.push(performance.now() - started);
  }
  console.log(
    `first load, cold cache, ${OPEN_CASES} open cases, queue page of 50 rows with countdowns (${LOADS} loads):`,
  );
  console.log(`  time to interactive queue  ${summary(loadTimes)}`);
  console.log(
    `  transferred: console files ${kb(quantile(assetBytes, 0.5))}, API answers ${kb(quantile(apiBytes, 0.5))} (headers included)`,
  );
  console.log(`  baseline: raw GET /cases page from Node ${summary(raw)} (${kb(rawBytes)} body)`);
  console.log(
    `  ratio: first load / raw GET /cases p50 = ${(quantile(loadTimes, 0.5) / quantile(raw, 0.5)).toFixed(1)}x`,
  );

  // 2. Queue update latency.
  const open = async (token: string, hash: string): Promise<Page> => {
    const context = await browser.newContext();
    await context.addInitScript(`sessionStorage.setItem('docket.token', ${JSON.stringify(token)})`);
    const page = await context.newPage();
    await page.goto(`${base}/console/${hash}`);
    await page.locator('[data-testid="feed-status"][data-live="true"]').waitFor();
    return page;
  };
  const a = await open(f.tokens.li, '#/');
  const b = await open(f.tokens.mei, '#/');
  await a.locator('tr[data-case-id]').first().waitFor();
  const latencies: number[] = [];
  const commands: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const id = await a.locator('tr[data-case-id]').first().getAttribute('data-case-id');
    // A notes the instant the row leaves its queue.
    const gone = a.evaluate<number>(
      `new Promise((resolve) => {
        const row = () => document.querySelector('tr[data-case-id="${id}"]');
        const observer = new MutationObserver(() => {
          if (row() === null) { observer.disconnect(); resolve(performance.timeOrigin + performance.now()); }
        });
        observer.observe(document.body, { childList: true, subtree: true });
      })`,
    );
    const sent = await b.evaluate<[number, number]>(
      `(async () => {
        const sent = performance.timeOrigin + performance.now();
        const res = await fetch('/cases/${id}/assign', {
          method: 'POST',
          headers: { authorization: 'Bearer ${f.tokens.mei}', 'content-type': 'application/json' },
          body: JSON.stringify({ agent: 'mei' }),
        });
        if (!res.ok) throw new Error('assign refused: ' + res.status);
        return [sent, performance.timeOrigin + performance.now()];
      })()`,
    );
    latencies.push((await gone) - sent[0]);
    commands.push(sent[1] - sent[0]);
  }
  console.log(`queue update latency, command in another browser to row gone (${UPDATES} updates):`);
  console.log(`  latency  ${summary(latencies)}  (target p99 ≤ 500 ms)`);
  console.log(`  baseline: the command's own round trip  ${summary(commands)}`);
  console.log(
    `  ratio: latency / command p50 = ${(quantile(latencies, 0.5) / quantile(commands, 0.5)).toFixed(1)}x`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await c.close();
}
