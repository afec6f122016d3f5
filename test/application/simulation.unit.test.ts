import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/application/scenario.js';
import { runSimulation, type SimulationOutput } from '../../src/application/simulation.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { parsePolicy } from '../../src/domain/policy/policy.js';
import { atRiskPolicy } from '../specs/slaPolicies.js';

const runExample = (name: string): SimulationOutput =>
  runSimulation(
    scenarioSchema.parse(JSON.parse(readFileSync(`examples/${name}.json`, 'utf8'))),
    defaultPolicy,
  );
const types = (output: SimulationOutput, id: string) => output.cases[id]!.events.map((e) => e.type);
const event = (output: SimulationOutput, id: string, type: string) =>
  output.cases[id]!.events.find((e) => e.type === type)!;

describe('at risk in the simulator (the example under a policy with a 75 % threshold)', () => {
  const output = runSimulation(
    scenarioSchema.parse(JSON.parse(readFileSync('examples/sla-lifecycle.json', 'utf8'))),
    atRiskPolicy,
  );

  it('the late B case records its warning at 75 % of 15 business hours, then the breach', () => {
    expect(types(output, 'late-response').slice(0, 3)).toEqual([
      'CaseOpened',
      'SlaTargetAtRisk',
      'ResponseDeadlineBreached',
    ]);
    expect(event(output, 'late-response', 'SlaTargetAtRisk')).toEqual({
      type: 'SlaTargetAtRisk',
      at: '2026-11-23T13:15:00.000Z',
      data: { target: 'response', threshold: 0.75, dueAt: '2026-11-24T02:00:00.000Z' },
    });
  });

  it('a case answered before the threshold records no warning', () => {
    expect(types(output, 'silent-customer')).not.toContain('SlaTargetAtRisk');
  });

  it('the built-in policy records none', () => {
    const plain = runExample('sla-lifecycle');
    for (const c of Object.values(plain.cases))
      expect(c.events.map((e) => e.type)).not.toContain('SlaTargetAtRisk');
  });
});

describe('examples/further-targets.json (its policy turns the further targets on)', () => {
  const policy = parsePolicy(
    JSON.parse(readFileSync('examples/further-targets-policy.json', 'utf8')),
  );
  if (!policy.ok) throw policy.error;
  const output = runSimulation(
    scenarioSchema.parse(JSON.parse(readFileSync('examples/further-targets.json', 'utf8'))),
    policy.value,
  );
  const stops = (id: string) =>
    output.cases[id]!.events.flatMap((e) =>
      e.type === 'SlaTargetStopped'
        ? [[e.at, (e.data as { target: string }).target, (e.data as { met: boolean }).met]]
        : [],
    );

  it('kept informed: every target met, resolution and periodic update paused while awaiting the customer', () => {
    expect(output.refused).toEqual([]);
    const types = output.cases['kept-informed']!.events.map((e) => e.type);
    expect(types).toContain('SlaTargetPaused');
    expect(types).toContain('SlaTargetResumed');
    expect(types.filter((t) => t.endsWith('DeadlineBreached'))).toEqual([]);
    expect(stops('kept-informed').every(([, , met]) => met)).toBe(true);
    expect(output.cases['kept-informed']!.targets).toEqual({
      resolution: {
        status: 'stopped',
        remainingMs: 30 * 3_600_000,
        breached: false,
        atRisk: false,
      },
      'next-reply': {
        status: 'stopped',
        remainingMs: 3 * 3_600_000,
        breached: false,
        atRisk: false,
      },
      'periodic-update': {
        status: 'stopped',
        remainingMs: 3 * 3_600_000,
        breached: false,
        atRisk: true,
      },
    });
  });

  it('left waiting: next reply, periodic update and resolution each warned, then breached once per clock', () => {
    const c = output.cases['left-waiting']!;
    expect(
      c.events.filter((e) => e.type.endsWith('DeadlineBreached')).map((e) => [e.type, e.at]),
    ).toEqual([
      ['NextReplyDeadlineBreached', '2026-11-23T07:00:00.000Z'], // 4 h after the reply at 11:00
      ['PeriodicUpdateDeadlineBreached', '2026-11-24T03:00:00.000Z'],
      ['ResolutionDeadlineBreached', '2026-11-26T02:35:00.000Z'], // 30 min later: the pause
      ['PeriodicUpdateDeadlineBreached', '2026-11-26T04:00:00.000Z'], // a new clock, a new breach
    ]);
    expect(stops('left-waiting').every(([, , met]) => !met)).toBe(true);
    expect(Object.values(c.targets!).every((t) => t.breached && t.atRisk)).toBe(true);
  });

  it('the built-in policy shows no targets in the output', () => {
    for (const c of Object.values(runExample('sla-lifecycle').cases))
      expect(c).not.toHaveProperty('targets');
  });
});

describe('examples/sla-lifecycle.json (21vianet technical)', () => {
  const output = runExample('sla-lifecycle');

  it('a B case answered after its 1-business-day target breaches at the due instant, once', () => {
    expect(types(output, 'late-response')).toEqual([
      'CaseOpened',
      'ResponseDeadlineBreached',
      'AgentResponded',
      'CaseResolved',
      'SurveySubmitted',
      'CaseClosed',
    ]);
    expect(event(output, 'late-response', 'ResponseDeadlineBreached').at).toBe(
      '2026-11-24T02:00:00.000Z',
    );
    expect(event(output, 'late-response', 'AgentResponded').data).toMatchObject({
      firstResponse: { withinTarget: false },
    });
  });

  it('the resolved case closes itself 7 days after resolution', () => {
    expect(output.cases['late-response']!.state).toBe('closed');
    expect(event(output, 'late-response', 'CaseClosed').at).toBe('2026-12-01T04:00:00.000Z');
  });

  it('a silent customer: A → B after 4 h, B → C after 2 business days, then resolved after 5 more', () => {
    const c = output.cases['silent-customer']!;
    expect(c.events.map((e) => [e.type, e.at])).toEqual([
      ['CaseOpened', '2026-11-23T02:05:00.000Z'],
      ['CustomerInfoRequested', '2026-11-23T02:20:00.000Z'],
      ['SeverityDowngraded', '2026-11-23T06:20:00.000Z'], // 4 h on 24×7
      ['SeverityDowngraded', '2026-11-25T06:20:00.000Z'], // 2 × 15 h on 09:00–24:00 Beijing
      ['CaseResolved', '2026-11-30T06:20:00.000Z'], // 5 × 15 h
      ['CaseClosed', '2026-12-07T06:20:00.000Z'],
    ]);
    expect(event(output, 'silent-customer', 'CaseResolved').data).toMatchObject({
      reason: 'customer-nonresponse',
    });
    expect(c.severity).toBe('C');
    expect(c.state).toBe('closed');
  });

  it('A without an advanced agreement is opened as B, and says why', () => {
    expect(event(output, 'no-agreement', 'CaseOpened').data).toMatchObject({
      requestedSeverity: 'A',
      severity: 'B',
      severityReason: 'no-advanced-agreement',
    });
  });

  it('refuses the customer user (ask your admin or the community forums) and the second survey', () => {
    expect(output.refused).toEqual([
      {
        step: 4,
        command: 'open',
        case: 'not-an-admin',
        error: { code: 'forbidden', message: expect.stringMatching(/admin.*community forums/s) },
      },
      {
        step: 8,
        command: 'submitSurvey',
        case: 'late-response',
        error: { code: 'invalid-transition', message: expect.stringMatching(/already/) },
      },
    ]);
    expect(output.cases['not-an-admin']).toBeUndefined();
  });
});

describe('examples/golden-week-billing.json (China business hours, holidays, make-up Saturday)', () => {
  const output = runExample('golden-week-billing');

  it('billing A is capped at B, and its 9-hour business day skips the National Day holiday', () => {
    expect(event(output, 'over-the-holiday', 'CaseOpened').data).toMatchObject({
      severity: 'B',
      severityReason: 'line-maximum',
      responseDueAt: '2026-10-08T09:00:00.000Z', // 1 h on Sep 30, closed Oct 1–7, 8 h on Oct 8
    });
    expect(event(output, 'over-the-holiday', 'AgentResponded').data).toMatchObject({
      firstResponse: { withinTarget: true, businessElapsedMs: 8 * 3_600_000 },
    });
  });

  it('a C case runs on the make-up Saturday (Oct 10) but not on Sunday', () => {
    // 27 h: Fri 10:00–18:00, Sat 09:00–18:00, Mon 09:00–18:00, Tue 09:00–10:00.
    expect(event(output, 'make-up-saturday', 'CaseOpened').data).toMatchObject({
      responseDueAt: '2026-10-13T02:00:00.000Z',
    });
    // Responding at the due instant itself is within target.
    expect(types(output, 'make-up-saturday')).toEqual(['CaseOpened', 'AgentResponded']);
  });
});

describe('examples/reopen-and-withdraw.json (Germany across DST, business AU)', () => {
  const output = runExample('reopen-and-withdraw');

  it('Germany billing B (8 h business day) runs across the October DST switch', () => {
    // Fri 16:00 CEST: 1 h Friday, 7 h Monday → 16:00 CET.
    expect(event(output, 'reopened', 'CaseOpened').data).toMatchObject({
      responseDueAt: '2026-10-26T15:00:00.000Z',
    });
  });

  it('a resolved case reopened within the window returns to responded and is not closed', () => {
    expect(output.cases['reopened']!.state).toBe('responded');
    expect(types(output, 'reopened')).not.toContain('CaseClosed');
  });

  it('a withdrawn case is resolved, closes after 7 days, and cannot be reopened after that', () => {
    expect(output.cases['withdrawn']!.state).toBe('closed');
    expect(output.refused.map((r) => [r.step, r.error.code])).toEqual([
      [6, 'invalid-transition'],
      [7, 'not-found'], // another tenant's case: not found, not forbidden
    ]);
  });
});

describe('simulation semantics', () => {
  it('timers due at the same instant fire in order of case id, and each fires once', () => {
    const open = (id: string) => ({
      at: '2026-11-23T10:00:00+08:00',
      command: 'open',
      case: id,
      actor: { role: 'customer-admin', tenant: 'contoso', id: 'ada' },
      input: {
        line: 'technical',
        severity: 'B',
        category: 'other',
        title: 't',
        contact: { name: 'A', email: 'a@contoso.example' },
      },
    });
    const output = runSimulation(
      scenarioSchema.parse({
        tenants: [{ id: 'contoso', offering: '21vianet', advancedAgreement: true }],
        steps: [open('b'), open('a'), open('c')],
        until: '2026-11-30T00:00:00+08:00',
      }),
      defaultPolicy,
    );
    for (const id of ['a', 'b', 'c']) {
      expect(types(output, id)).toEqual(['CaseOpened', 'ResponseDeadlineBreached']);
    }
  });

  it('is deterministic: the same scenario gives the same output', () => {
    expect(JSON.stringify(runExample('sla-lifecycle'))).toBe(
      JSON.stringify(runExample('sla-lifecycle')),
    );
  });

  it('rejects steps out of time order, naming the step', () => {
    const parsed = scenarioSchema.safeParse({
      steps: [
        {
          at: '2026-11-23T10:00:00+08:00',
          command: 'addNote',
          case: 'x',
          actor: { role: 'agent', id: 'li' },
        },
        {
          at: '2026-11-23T09:00:00+08:00',
          command: 'addNote',
          case: 'x',
          actor: { role: 'agent', id: 'li' },
        },
      ],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['steps', 1, 'at']);
  });
});
