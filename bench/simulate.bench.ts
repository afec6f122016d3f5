/**
 * `docket simulate` at the policy owner's scale: 10,000 cases over a simulated month (target:
 * under 10 s on the 2-core development machine). Beside it, in the same run, the raw cost of
 * the underlying in-memory store: appending the same number of events to per-case arrays and
 * serialising the output. Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { scenarioSchema } from '../src/application/scenario.js';
import { runSimulation } from '../src/application/simulation.js';
import { defaultPolicy } from '../src/domain/policy/defaultPolicy.js';

const CASES = Number(process.env['BENCH_CASES'] ?? 10_000);
const MONTH_START = Date.parse('2026-11-01T00:00:00+08:00');
const MONTH_MS = 30 * 86_400_000;

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const iso = (ms: number) => new Date(ms).toISOString();

const buildScenario = () => {
  const tenants = Array.from({ length: 50 }, (_, i) => ({
    id: `t${i}`,
    offering: '21vianet',
    advancedAgreement: i % 3 === 0,
  }));
  const steps: Array<{ at: number; step: Record<string, unknown> }> = [];
  const lines = ['technical', 'technical', 'technical', 'billing', 'presales'] as const;
  const categories = { technical: 'sso', billing: 'renewal', presales: 'plan-comparison' };
  for (let i = 0; i < CASES; i++) {
    const tenant = tenants[i % tenants.length]!;
    const actor = { role: 'customer-admin', tenant: tenant.id, id: `admin-${tenant.id}` };
    const agent = { role: 'agent', id: `agent-${i % 40}` };
    const line = lines[i % lines.length]!;
    const severity = (['A', 'B', 'C'] as const)[Math.floor(random() * 3)]!;
    const openedAt = MONTH_START + Math.floor(random() * MONTH_MS * 0.8);
    const caseId = `case-${i}`;
    const push = (offset: number, command: string, stepActor: object, input: object) =>
      steps.push({
        at: openedAt + offset,
        step: { command, case: caseId, actor: stepActor, input },
      });
    push(0, 'open', actor, {
      line,
      severity,
      category: categories[line],
      title: `Case ${i}`,
      businessImpact: 'Impact statement',
      contact: { name: 'Admin', email: 'admin@example.com', phone: '+86 21 5555 0100' },
    });
    const respondAfter = Math.floor(random() * 2 * 86_400_000);
    if (random() < 0.4) {
      push(respondAfter, 'requestInfo', agent, { message: 'Please send logs.' });
      if (random() < 0.5)
        push(respondAfter + 3_600_000, 'customerReply', actor, { message: 'Logs attached.' });
    } else {
      push(respondAfter, 'respond', agent, { message: 'Looking into it.' });
    }
    if (random() < 0.7) {
      push(respondAfter + 2 * 3_600_000, 'resolve', agent, { reason: 'fixed', summary: 'Done.' });
    }
  }
  steps.sort((a, b) => a.at - b.at);
  return scenarioSchema.parse({
    tenants,
    steps: steps.map(({ at, step }) => ({ at: iso(at), ...step })),
    until: iso(MONTH_START + MONTH_MS + 10 * 86_400_000),
  });
};

const scenario = buildScenario();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const output = runSimulation(scenario, defaultPolicy);
const json = JSON.stringify(output);
const elapsed = performance.now() - t0;
const events = Object.values(output.cases).reduce((n, c) => n + c.events.length, 0);

// Raw: the same events appended to per-case arrays, then serialised.
const r0 = performance.now();
const raw = new Map<string, unknown[]>();
for (const [id, c] of Object.entries(output.cases)) {
  for (const e of c.events) {
    let list = raw.get(id);
    if (list === undefined) raw.set(id, (list = []));
    list.push({ type: e.type, at: e.at, data: e.data });
  }
}
const rawJson = JSON.stringify(Object.fromEntries(raw));
const rawElapsed = performance.now() - r0;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `simulate: ${fmt(CASES)} cases, ${fmt(scenario.steps.length)} steps, ${fmt(events)} events over a month in ${(elapsed / 1000).toFixed(2)} s ` +
    `(${fmt((events / elapsed) * 1000)} events/s; target < 10 s); refused ${output.refused.length}; output ${fmt(json.length / 1024)} KiB`,
);
console.log(
  `simulate raw in-memory store: same ${fmt(events)} events appended and serialised in ${(rawElapsed / 1000).toFixed(3)} s ` +
    `(${fmt((events / rawElapsed) * 1000)} events/s, ratio ${(rawElapsed / elapsed).toFixed(3)}; output ${fmt(rawJson.length / 1024)} KiB)`,
);
console.log(
  `simulate heap: ${fmt((process.memoryUsage().heapUsed - heapBefore) / 1_048_576)} MiB retained after the run`,
);
