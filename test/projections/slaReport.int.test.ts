import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_MACHINE_VERSION } from '../../machines/caseMachine.js';
import { allProjections } from '../../projections/allProjections.js';
import { slaReport, slaReportCsv, type SlaReportRow } from '../../projections/slaReport.js';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { openSqliteReadModels, type ReadModelDb } from '../../src/adapters/readModelDb.js';
import { policyRegistry } from '../../src/application/policyRegistry.js';
import { projectionContext } from '../../src/application/projectionContext.js';
import { Projector } from '../../src/application/projector.js';
import { scenarioSchema } from '../../src/application/scenario.js';
import {
  runSimulation,
  type SimulatedEvent,
  type SimulationOutput,
} from '../../src/application/simulation.js';
import type { Actor } from '../../src/domain/actor.js';
import { currentSchemaVersion, type CaseEventOf } from '../../src/domain/case/stream/caseEvents.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { ProjectionCheckpointStore } from '../../src/adapters/projectionCheckpointStore.js';

/**
 * The SLA report for a simulated month (November 2026, `docket simulate`'s engine), checked
 * against figures computed here from the raw simulated events, without the projections.
 */

// ---------------------------------------------------------------------------------------------
// A month of cases: deterministic pseudo-random
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so every run simulates the same month. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const CASES = 360;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const tenants = [
  { id: 'contoso', offering: '21vianet', advancedAgreement: true },
  { id: 'fabrikam', offering: '21vianet', advancedAgreement: false },
  { id: 'kontor', offering: 'office365-germany', advancedAgreement: true },
  { id: 'fernwerk', offering: 'office365-germany', advancedAgreement: false },
  { id: 'northwind', offering: 'business', advancedAgreement: true, region: 'US' },
  { id: 'tailspin', offering: 'business', advancedAgreement: false, region: 'UK' },
];
const customer = (tenant: string): Actor => ({
  role: 'customer-admin',
  tenant,
  id: `${tenant}-admin`,
});
const agents: Actor[] = ['li', 'mei', 'jonas', 'sam'].map((id) => ({ role: 'agent', id }));

/**
 * Cases opened from 31 October 12:00Z to 1 December 12:00Z (so some fall on another day, or
 * another month, in their offering's zone than in UTC), most on 21vianet's technical line, with
 * every kind of outcome: quick and late answers, none at all, information requests the
 * customer answers or not, re-assessments, withdrawals, reopens, surveys.
 */
const monthScenario = () => {
  const next = random(20261101);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const between = (from: number, to: number) => Math.round(from + next() * (to - from));
  const first = Date.parse('2026-10-31T12:00:00Z');
  const last = Date.parse('2026-12-01T12:00:00Z');
  const steps: Array<{ at: number; command: string; case: string; actor: Actor; input: unknown }> =
    [];
  for (let i = 0; i < CASES; i++) {
    const id = `m${String(i).padStart(3, '0')}`;
    const offering = next() < 0.5 ? '21vianet' : next() < 0.5 ? 'office365-germany' : 'business';
    const tenant = pick(tenants.filter((t) => t.offering === offering));
    const line = next() < 0.6 ? 'technical' : next() < 0.6 ? 'billing' : 'presales';
    const agent = pick(agents);
    const opened = between(first, last);
    const step = (at: number, command: string, actor: Actor, input: unknown = {}) =>
      steps.push({ at, command, case: id, actor, input });
    step(opened, 'open', customer(tenant.id), {
      line,
      severity: pick(['A', 'B', 'B', 'C']),
      category: 'other',
      title: `Case ${id}`,
      contact: { name: 'Ada', email: 'ada@example.com', phone: '+1 555 0100' },
      businessImpact: 'Work is blocked.',
    });
    if (next() < 0.7) step(opened + MINUTE, 'assign', agent, { agent: agent.id });

    let t = opened;
    const kind = next();
    if (kind < 0.05) {
      step(opened + between(10 * MINUTE, 2 * HOUR), 'withdraw', customer(tenant.id), {
        reason: 'Solved it ourselves.',
      });
      continue;
    }
    if (kind < 0.15) {
      // Never answered: the deadline breaches; resolved (unanswered) days later, or left open.
      if (next() < 0.5)
        step(opened + between(4 * DAY, 8 * DAY), 'resolve', agent, {
          reason: 'duplicate',
          summary: 'Duplicate.',
        });
      continue;
    }
    if (kind < 0.3) {
      t += between(10 * MINUTE, 3 * HOUR);
      step(t, 'requestInfo', agent, { message: 'Logs, please.' });
      if (next() < 0.5) continue; // no reply: downgraded, then resolved for nonresponse
      t += between(HOUR, 3 * DAY); // a reply, perhaps after a downgrade
      step(t, 'customerReply', customer(tenant.id), { message: 'Attached.' });
      t += between(10 * MINUTE, 6 * HOUR);
      step(t, 'respond', agent, { message: 'Thanks.' });
    } else {
      if (kind < 0.4) {
        t += between(5 * MINUTE, 30 * MINUTE);
        step(t, 'changeSeverity', agent, {
          severity: pick(['A', 'B', 'C']),
          reason: 'Reassessed.',
        });
      }
      // Mostly prompt, sometimes days late (a breach first, then the late answer).
      t += next() < 0.75 ? between(5 * MINUTE, 8 * HOUR) : between(DAY, 4 * DAY);
      step(t, 'respond', agent, { message: 'Looking.' });
    }
    if (next() < 0.2) continue; // still open at the end of the month
    t += between(HOUR, 5 * DAY);
    step(t, 'resolve', agent, { reason: 'fixed', summary: 'Fixed.' });
    if (next() < 0.15) {
      t += between(HOUR, 5 * DAY);
      step(t, 'reopen', customer(tenant.id), { reason: 'It is back.' });
      t += between(10 * MINUTE, 4 * HOUR);
      step(t, 'respond', agent, { message: 'Looking again.' });
      t += between(HOUR, 2 * DAY);
      step(t, 'resolve', agent, { reason: 'fixed', summary: 'Fixed again.' });
    }
    if (next() < 0.5) {
      step(t + between(10 * MINUTE, 6 * DAY), 'submitSurvey', customer(tenant.id), {
        rating: 1 + Math.floor(next() * 5),
      });
    }
  }
  steps.sort((a, b) => a.at - b.at);
  return scenarioSchema.parse({
    tenants,
    steps: steps.map((s) => ({ ...s, at: new Date(s.at).toISOString() })),
    until: '2027-01-15T00:00:00Z',
  });
};

// ---------------------------------------------------------------------------------------------
// The same figures, computed from the raw events
// ---------------------------------------------------------------------------------------------

/** Reporting zones, as docs/reporting.md states them (not read from the policy). */
const reportingZone: Record<string, string> = {
  '21vianet': 'Asia/Shanghai',
  'office365-germany': 'Europe/Berlin',
  business: 'America/New_York',
};
const localDay = (at: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(at));

const nearestRank = (values: readonly number[], p: number): number | null => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
};

type Data<K extends SimulatedEvent['type']> = CaseEventOf<K>['data'];
const dataOf = <K extends SimulatedEvent['type']>(event: SimulatedEvent, _type: K) =>
  event.data as Data<K>;

interface CaseFacts {
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
  readonly day: string;
  readonly utcDay: string;
  readonly requestedSeverity: string;
  readonly response?: { wall: number; business: number; within: boolean };
  readonly breached: boolean;
  readonly downgrades: number;
  readonly reopens: number;
  readonly rating?: number;
}

/** One case's facts, from its events alone. */
const factsOf = (events: readonly SimulatedEvent[]): CaseFacts => {
  const opened = events[0]!;
  const o = dataOf(opened, 'CaseOpened');
  let due = o.responseDueAt;
  let calendar = o.responseCalendar;
  let response: CaseFacts['response'];
  for (const event of events) {
    if (response !== undefined) break;
    if (event.type === 'SeverityChanged') {
      due = dataOf(event, 'SeverityChanged').responseDueAt ?? due;
      calendar = 're-assessed';
    }
    if (event.type === 'AgentResponded' || event.type === 'CustomerInfoRequested') {
      const recorded = dataOf(event, 'AgentResponded').firstResponse!;
      const wall = Date.parse(event.at) - Date.parse(opened.at);
      // The event's own figures agree with the clock and the due instant…
      expect(recorded.elapsedMs).toBe(wall);
      expect(recorded.withinTarget).toBe(event.at <= due);
      // …and business time is wall time on a 24×7 calendar (A everywhere; not 21vianet B/C).
      if (calendar === '24x7') expect(recorded.businessElapsedMs).toBe(wall);
      else expect(recorded.businessElapsedMs).toBeLessThanOrEqual(wall);
      response = { wall, business: recorded.businessElapsedMs, within: event.at <= due };
    }
  }
  const count = (type: SimulatedEvent['type']) => events.filter((e) => e.type === type).length;
  const survey = events.find((e) => e.type === 'SurveySubmitted');
  return {
    offering: o.tenant.offering,
    line: o.line,
    severity: o.severity,
    requestedSeverity: o.requestedSeverity,
    day: localDay(opened.at, reportingZone[o.tenant.offering]!),
    utcDay: opened.at.slice(0, 10),
    ...(response === undefined ? {} : { response }),
    breached: count('ResponseDeadlineBreached') > 0,
    downgrades: count('SeverityDowngraded'),
    reopens: count('CaseReopened'),
    ...(survey === undefined ? {} : { rating: dataOf(survey, 'SurveySubmitted').rating }),
  };
};

/** The report the raw events call for: per offering, line, severity at opening, local day. */
const expectedReport = (facts: readonly CaseFacts[], from: string, to: string) => {
  const groups = new Map<string, CaseFacts[]>();
  for (const f of facts) {
    if (f.day < from || f.day > to) continue;
    const key = [f.day, f.offering, f.line, f.severity].join('|');
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.keys()].sort().map((key): SlaReportRow => {
    const cases = groups.get(key)!;
    const [day, offering, line, severity] = key.split('|') as [string, string, string, string];
    const responses = cases.flatMap((c) => (c.response === undefined ? [] : [c.response]));
    const ratings = cases.flatMap((c) => (c.rating === undefined ? [] : [c.rating]));
    return {
      offering,
      line,
      severity,
      day,
      opened: cases.length,
      firstResponses: responses.length,
      withinTarget: responses.filter((r) => r.within).length,
      breaches: cases.filter((c) => c.breached).length,
      responseMedianMs: nearestRank(
        responses.map((r) => r.wall),
        50,
      ),
      responseP90Ms: nearestRank(
        responses.map((r) => r.wall),
        90,
      ),
      businessResponseMedianMs: nearestRank(
        responses.map((r) => r.business),
        50,
      ),
      businessResponseP90Ms: nearestRank(
        responses.map((r) => r.business),
        90,
      ),
      downgrades: cases.reduce((n, c) => n + c.downgrades, 0),
      reopens: cases.reduce((n, c) => n + c.reopens, 0),
      surveys: ratings.length,
      averageRating:
        ratings.length === 0 ? null : ratings.reduce((a, b) => a + b, 0) / ratings.length,
      // The built-in policy sets no at-risk threshold and no further target.
      atRiskWarnings: 0,
      resolutionsWithinTarget: 0,
      resolutionBreaches: 0,
      nextRepliesWithinTarget: 0,
      nextReplyBreaches: 0,
      periodicUpdatesWithinTarget: 0,
      periodicUpdateBreaches: 0,
    };
  });
};

// ---------------------------------------------------------------------------------------------
// The simulated events in an event store, projected
// ---------------------------------------------------------------------------------------------

const customerEvents = new Set([
  'CaseOpened',
  'CustomerResponded',
  'CaseWithdrawn',
  'CaseReopened',
  'SurveySubmitted',
]);
const timerEvents = new Set(['ResponseDeadlineBreached', 'SeverityDowngraded', 'CaseClosed']);

/** Who recorded an event: the customer's admin, the timer, or the agent it names. */
const actorOf = (event: SimulatedEvent, tenant: string): Actor => {
  if (customerEvents.has(event.type)) return customer(tenant);
  if (timerEvents.has(event.type)) return { role: 'timer', id: 'scheduler' };
  return { role: 'agent', id: (event.data as { agent?: string }).agent ?? 'li' };
};

/** One stream per case (`case-<id>`), appended command by command in time order. */
const loadIntoStore = async (output: SimulationOutput, store: MemoryEventStore) => {
  type Command = { caseId: string; tenant: string; first: number; events: SimulatedEvent[] };
  const commands: Command[] = [];
  for (const [caseId, c] of Object.entries(output.cases)) {
    const tenant = dataOf(c.events[0]!, 'CaseOpened').tenant.id;
    c.events.forEach((event, revision) => {
      const previous = commands.at(-1);
      // Events one command recorded share its instant: one append, one command id.
      if (previous?.caseId === caseId && previous.events.at(-1)!.at === event.at)
        previous.events.push(event);
      else commands.push({ caseId, tenant, first: revision, events: [event] });
    });
  }
  commands.sort((a, b) => Date.parse(a.events[0]!.at) - Date.parse(b.events[0]!.at));
  let head = 0n;
  for (const { caseId, tenant, first, events } of commands) {
    const commandId = `${caseId}-${first}`;
    const result = await store.append(
      `case-${caseId}`,
      events.map((e) => ({
        type: e.type,
        schemaVersion: currentSchemaVersion[e.type],
        data: e.data,
        metadata: {
          commandId,
          causationId: commandId,
          correlationId: `${caseId}-${first}`,
          actor: actorOf(e, tenant),
          occurredAt: e.at,
          caseId,
          policyVersion: defaultPolicy.version,
          machineVersion: CASE_MACHINE_VERSION,
        },
      })),
      { expectedRevision: first === 0 ? 'no-stream' : first - 1 },
    );
    head = result.position;
  }
  return head;
};

describe('SLA report for a simulated month', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docket-sla-report-'));
  let output: SimulationOutput;
  let facts: CaseFacts[];
  let db: ReadModelDb;

  beforeAll(async () => {
    output = runSimulation(monthScenario(), defaultPolicy);
    facts = Object.values(output.cases).map((c) => factsOf(c.events));
    const store = new MemoryEventStore();
    const head = await loadIntoStore(output, store);
    db = openSqliteReadModels(join(dir, 'readmodels.db'));
    const projector = new Projector({
      store,
      checkpoints: new ProjectionCheckpointStore(db),
      projections: allProjections,
      context: projectionContext(policyRegistry(defaultPolicy)),
      clock: new VirtualClock(Date.parse('2027-01-15T00:00:00Z')),
    });
    await projector.start();
    await projector.caughtUp(head);
    await projector.close();
  });

  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('simulates what the report must count', () => {
    expect(Object.keys(output.cases)).toHaveLength(CASES);
    expect(output.refused.length).toBeLessThan(CASES / 10); // steps a timer made moot
    const november = facts.filter((f) => f.day >= '2026-11-01' && f.day <= '2026-11-30');
    const some = (test: (f: CaseFacts) => boolean) => november.filter(test).length;
    expect(some(() => true)).toBeGreaterThan(300);
    expect(some((f) => f.breached)).toBeGreaterThan(10);
    expect(some((f) => f.response !== undefined && !f.response.within)).toBeGreaterThan(10);
    expect(some((f) => f.response === undefined)).toBeGreaterThan(10);
    expect(some((f) => f.downgrades > 0)).toBeGreaterThan(5);
    expect(some((f) => f.reopens > 0)).toBeGreaterThan(5);
    expect(some((f) => f.rating !== undefined)).toBeGreaterThan(50);
    expect(some((f) => f.requestedSeverity !== f.severity)).toBeGreaterThan(10); // capped
    expect(new Set(november.map((f) => f.offering)).size).toBe(3);
    expect(new Set(november.map((f) => f.line)).size).toBe(3);
    expect(new Set(november.map((f) => f.severity)).size).toBe(3);
    // The month's edges are the zone's: opened on 31 October UTC yet 1 November in Beijing,
    // and on 1 December UTC yet 30 November in New York.
    expect(some((f) => f.utcDay === '2026-10-31')).toBeGreaterThan(0);
    expect(some((f) => f.utcDay === '2026-12-01')).toBeGreaterThan(0);
    expect(
      facts.filter((f) => f.day < '2026-11-01' || f.day > '2026-11-30').length,
    ).toBeGreaterThan(0);
  });

  it('matches the figures computed from the raw events, per offering, line, severity and day', async () => {
    const report = await slaReport(db, { from: '2026-11-01', to: '2026-11-30' });
    const expected = expectedReport(facts, '2026-11-01', '2026-11-30');
    expect(report).toEqual(expected);
    expect(report.some((r) => r.opened >= 4)).toBe(true); // percentiles over real groups
    expect(report.reduce((n, r) => n + r.opened, 0)).toBe(
      facts.filter((f) => f.day >= '2026-11-01' && f.day <= '2026-11-30').length,
    );
  });

  it('filters by offering and line, and by a range of days', async () => {
    const all = expectedReport(facts, '2026-11-01', '2026-11-30');
    expect(
      await slaReport(db, { from: '2026-11-01', to: '2026-11-30', offering: '21vianet' }),
    ).toEqual(all.filter((r) => r.offering === '21vianet'));
    expect(
      await slaReport(db, {
        from: '2026-11-01',
        to: '2026-11-30',
        offering: 'business',
        line: 'billing',
      }),
    ).toEqual(all.filter((r) => r.offering === 'business' && r.line === 'billing'));
    expect(await slaReport(db, { from: '2026-11-10', to: '2026-11-12' })).toEqual(
      expectedReport(facts, '2026-11-10', '2026-11-12'),
    );
  });

  it('the nearest-rank percentile query of docs/reporting.md (SQLite) gives the report’s figures', async () => {
    const documented = await sql<{
      day: string;
      offering: string;
      line: string;
      severity: string;
      median_ms: number;
      p90_ms: number;
    }>`
      WITH responded AS (
        SELECT day, offering, line, severity, response_ms,
               row_number() OVER (PARTITION BY day, offering, line, severity
                                  ORDER BY response_ms) AS rank,
               count(*)     OVER (PARTITION BY day, offering, line, severity) AS n
        FROM sla_cases
        WHERE day BETWEEN '2026-11-01' AND '2026-11-30' AND response_ms IS NOT NULL
      )
      SELECT day, offering, line, severity,
             max(CASE WHEN rank = (n + 1) / 2    THEN response_ms END) AS median_ms,
             max(CASE WHEN rank = (9 * n + 9) / 10 THEN response_ms END) AS p90_ms
      FROM responded
      GROUP BY day, offering, line, severity
      ORDER BY day, offering, line, severity`.execute(db);
    const report = await slaReport(db, { from: '2026-11-01', to: '2026-11-30' });
    expect(documented.rows).toEqual(
      report
        .filter((r) => r.firstResponses > 0)
        .map((r) => ({
          day: r.day,
          offering: r.offering,
          line: r.line,
          severity: r.severity,
          median_ms: r.responseMedianMs,
          p90_ms: r.responseP90Ms,
        })),
    );
  });

  it('writes the report as CSV: a header, then one line per row', async () => {
    const report = await slaReport(db, { from: '2026-11-01', to: '2026-11-30' });
    const lines = slaReportCsv(report).split('\r\n');
    expect(lines[0]).toBe(
      'day,offering,line,severity,opened,firstResponses,withinTarget,breaches,' +
        'responseMedianMs,responseP90Ms,businessResponseMedianMs,businessResponseP90Ms,' +
        'downgrades,reopens,surveys,averageRating,atRiskWarnings,' +
        'resolutionsWithinTarget,resolutionBreaches,nextRepliesWithinTarget,nextReplyBreaches,' +
        'periodicUpdatesWithinTarget,periodicUpdateBreaches',
    );
    expect(lines).toHaveLength(report.length + 2); // and a final CRLF
    expect(lines.at(-1)).toBe('');
    const expected = expectedReport(facts, '2026-11-01', '2026-11-30');
    const rated = expected.findIndex((r) => r.surveys > 1 && r.firstResponses > 0);
    const r = expected[rated]!;
    expect(lines[rated + 1]).toBe(
      [
        r.day,
        r.offering,
        r.line,
        r.severity,
        r.opened,
        r.firstResponses,
        r.withinTarget,
        r.breaches,
        r.responseMedianMs,
        r.responseP90Ms,
        r.businessResponseMedianMs,
        r.businessResponseP90Ms,
        r.downgrades,
        r.reopens,
        r.surveys,
        r.averageRating,
        r.atRiskWarnings,
        r.resolutionsWithinTarget,
        r.resolutionBreaches,
        r.nextRepliesWithinTarget,
        r.nextReplyBreaches,
        r.periodicUpdatesWithinTarget,
        r.periodicUpdateBreaches,
      ].join(','),
    );
    const unanswered = expected.findIndex((r) => r.firstResponses === 0);
    expect(lines[unanswered + 1]).toMatch(/^[^,]+,[^,]+,[^,]+,[ABC],\d+,0,0,\d+,,,,,\d+,\d+,\d+,/);
  });
});
