import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyCheck } from '../../src/cli/policyCommand.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicyDocument } from '../../src/domain/policy/defaultPolicy.js';

/** Runs the built `docket` binary as a user would (`npm test` builds it first). */
const docket = (...args: string[]) => {
  const run = spawnSync(process.execPath, ['bin/docket.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'docket-cli-'));

describe('docket sla due', () => {
  it('prints the due instant on one line (B opened Monday 10:00 Beijing is due Tuesday 10:00)', () => {
    const run = docket(
      'sla',
      'due',
      '--offering',
      '21vianet',
      '--line',
      'technical',
      '--severity',
      'B',
      '--opened-at',
      '2026-11-23T10:00:00+08:00',
    );
    expect(run).toEqual({ code: 0, stdout: '2026-11-24T10:00:00+08:00\n', stderr: '' });
  });

  it('--json prints an object with dueAt', () => {
    const run = docket(
      'sla',
      'due',
      '--offering',
      '21vianet',
      '--line',
      'technical',
      '--severity',
      'C',
      '--opened-at',
      '2026-11-23T10:00:00+08:00',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      dueAt: '2026-11-26T10:00:00+08:00',
      dueAtUtc: '2026-11-26T02:00:00.000Z',
      calendar: 'cn-daily',
      businessDayHours: 15,
      warnings: [],
    });
    expect(run.stderr).toBe('');
  });

  it('a due instant past the calendar’s known holidays is printed, with a warning on stderr', () => {
    const args = [
      'sla',
      'due',
      '--offering',
      '21vianet',
      '--line',
      'billing',
      '--severity',
      'B',
      '--opened-at',
      '2026-12-31T17:00:00+08:00',
    ];
    const run = docket(...args);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('2027-01-01T17:00:00+08:00\n');
    expect(run.stderr).toMatch(
      /^docket: warning: calendar cn-business-hours has holiday data through 2026-12-31 only: the deadline 2027-01-01T17:00:00\+08:00 .*\[calendar-horizon\]\n$/,
    );

    const json = docket(...args, '--json');
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({
      dueAt: '2027-01-01T17:00:00+08:00',
      calendar: 'cn-business-hours',
      warnings: [
        {
          code: 'calendar-horizon',
          calendar: 'cn-business-hours',
          knownThrough: '2026-12-31',
          dueAt: '2027-01-01T09:00:00.000Z',
          message: expect.stringMatching(/2026-12-31/) as unknown,
        },
      ],
    });
  });

  it('an impossible combination (billing A) exits non-zero with a clear message', () => {
    const run = docket(
      'sla',
      'due',
      '--offering',
      '21vianet',
      '--line',
      'billing',
      '--severity',
      'A',
      '--opened-at',
      '2026-11-23T10:00:00+08:00',
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /severity A is not offered on the billing line of 21vianet \(highest is B\)/,
    );
  });

  it('bad input exits non-zero: unknown offering, bad severity, instant without offset, missing option', () => {
    for (const args of [
      [
        '--offering',
        'acme',
        '--line',
        'technical',
        '--severity',
        'B',
        '--opened-at',
        '2026-11-23T10:00:00Z',
      ],
      [
        '--offering',
        '21vianet',
        '--line',
        'technical',
        '--severity',
        'D',
        '--opened-at',
        '2026-11-23T10:00:00Z',
      ],
      [
        '--offering',
        '21vianet',
        '--line',
        'technical',
        '--severity',
        'B',
        '--opened-at',
        '2026-11-23T10:00:00',
      ],
      ['--offering', '21vianet', '--line', 'technical', '--severity', 'B'],
      [
        '--offering',
        'business',
        '--line',
        'billing',
        '--severity',
        'B',
        '--opened-at',
        '2026-11-23T10:00:00Z',
      ],
    ]) {
      const run = docket('sla', 'due', ...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr.length, args.join(' ')).toBeGreaterThan(0);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('uses a policy file given with --policy, and names the path of an error in it', () => {
    const policy = structuredClone(defaultPolicyDocument) as {
      version: string;
      calendars: Record<string, { week: Record<string, unknown> }>;
    };
    policy.version = 'faster';
    policy.calendars['cn-daily']!.week['mon'] = [['09:00', '08:00']];
    const file = join(tmp, 'bad-policy.json');
    writeFileSync(file, JSON.stringify(policy));
    const run = docket(
      'sla',
      'due',
      '--offering',
      '21vianet',
      '--line',
      'technical',
      '--severity',
      'B',
      '--opened-at',
      '2026-11-23T10:00:00+08:00',
      '--policy',
      file,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/calendars\.cn-daily\.week\.mon\.0/);
  });
});

describe('docket simulate', () => {
  it('runs an example and prints { cases, refused }', () => {
    const output = JSON.parse(
      execFileSync(process.execPath, ['bin/docket.js', 'simulate', 'examples/sla-lifecycle.json'], {
        encoding: 'utf8',
      }),
    ) as {
      cases: Record<
        string,
        {
          state: string;
          severity: string;
          events: Array<{ type: string; at: string; data: unknown }>;
        }
      >;
      refused: unknown[];
    };
    expect(Object.keys(output.cases).sort()).toEqual([
      'late-response',
      'no-agreement',
      'silent-customer',
    ]);
    expect(output.cases['silent-customer']).toMatchObject({ state: 'closed', severity: 'C' });
    expect(output.refused).toHaveLength(2);
  });

  it('reports a missing file, bad JSON and an invalid scenario on stderr with a non-zero exit', () => {
    const badJson = join(tmp, 'bad.json');
    writeFileSync(badJson, '{ "steps": [');
    const invalid = join(tmp, 'invalid.json');
    writeFileSync(
      invalid,
      JSON.stringify({
        steps: [
          { at: 'yesterday', command: 'fly', case: 'c1', actor: { role: 'agent', id: 'li' } },
        ],
      }),
    );
    for (const [file, message] of [
      [join(tmp, 'missing.json'), /cannot read scenario.*ENOENT/],
      [badJson, /not valid JSON/],
      [invalid, /steps\.0\.at[\s\S]*steps\.0\.command/],
    ] as const) {
      const run = docket('simulate', file);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(message);
    }
  });

  it('runs a scenario under another policy (what-if), inline or from a file relative to the scenario', () => {
    const policy = structuredClone(defaultPolicyDocument) as {
      version: string;
      offerings: Record<
        string,
        { lines: Record<string, { severities: Record<string, { responseTarget: unknown }> }> }
      >;
    };
    policy.version = 'two-days';
    policy.offerings['21vianet']!.lines['technical']!.severities['B']!.responseTarget = {
      businessDays: 2,
    };
    writeFileSync(join(tmp, 'two-days.json'), JSON.stringify(policy));
    const steps = [
      {
        at: '2026-11-23T10:00:00+08:00',
        command: 'open',
        case: 'c1',
        actor: { role: 'customer-admin', tenant: 'contoso', id: 'ada' },
        input: {
          line: 'technical',
          severity: 'B',
          category: 'other',
          title: 't',
          contact: { name: 'A', email: 'a@contoso.example' },
        },
      },
    ];
    const tenants = [{ id: 'contoso', offering: '21vianet', advancedAgreement: false }];
    writeFileSync(
      join(tmp, 'by-path.json'),
      JSON.stringify({ policy: 'two-days.json', tenants, steps }),
    );
    writeFileSync(join(tmp, 'inline.json'), JSON.stringify({ policy, tenants, steps }));
    for (const file of ['by-path.json', 'inline.json']) {
      const run = docket('simulate', join(tmp, file));
      expect(run.code, run.stderr).toBe(0);
      const opened = (
        JSON.parse(run.stdout) as {
          cases: {
            c1: { events: Array<{ data: { responseDueAt: string; policyVersion: string } }> };
          };
        }
      ).cases.c1.events[0]!.data;
      expect(opened).toMatchObject({
        policyVersion: 'two-days',
        responseDueAt: '2026-11-25T02:00:00.000Z',
      });
    }
  });
});

describe('docket policy', () => {
  it('show prints the default policy, which check accepts', () => {
    const shown = docket('policy', 'show');
    expect(shown.code).toBe(0);
    const file = join(tmp, 'default.json');
    writeFileSync(file, shown.stdout);
    expect(docket('policy', 'check', file)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/valid/),
    });
  });

  it('check names what is wrong and where', () => {
    const file = join(tmp, 'wrong.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 'x',
        calendars: { c: { zone: 'Mars/Olympus', week: { mon: [['09:00', '17:00']] } } },
        autoClose: { days: 7 },
        offerings: {},
      }),
    );
    const run = docket('policy', 'check', file);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/calendars\.c\.zone/);
  });

  it('check warns (exit 0) about holiday data that has run out or has no stated end', () => {
    const withChina = (edit: (china: Record<string, unknown>) => void) => {
      const policy = structuredClone(defaultPolicyDocument) as unknown as {
        calendars: Record<string, Record<string, unknown>>;
      };
      edit(policy.calendars['cn-business-hours']!);
      const file = join(tmp, `horizon-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(policy));
      return file;
    };
    const passed = docket(
      'policy',
      'check',
      withChina((china) => {
        china['holidaysKnownThrough'] = '2020-12-31';
      }),
    );
    expect(passed).toMatchObject({ code: 0, stdout: expect.stringMatching(/valid/) });
    expect(passed.stderr).toMatch(
      /^docket: warning: calendar cn-business-hours has holiday data through 2020-12-31 only, which has passed.*\[calendar-horizon-passed\]\n$/,
    );
    const missing = docket(
      'policy',
      'check',
      withChina((china) => {
        delete china['holidaysKnownThrough'];
      }),
    );
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/cn-business-hours.*\[calendar-horizon-missing\]/);
    const farOff = docket(
      'policy',
      'check',
      withChina((china) => {
        china['holidaysKnownThrough'] = '2999-12-31';
      }),
    );
    expect(farOff).toMatchObject({ code: 0, stderr: '' });
  });

  it('check warns when a horizon is less than 90 days from the clock’s now', () => {
    const file = join(tmp, 'default-for-clock.json');
    writeFileSync(file, JSON.stringify(defaultPolicyDocument));
    const run = (iso: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
      policyCheck(file, io, new VirtualClock(Date.parse(iso)));
      return { stdout: out.join(''), stderr: err.join('') };
    };
    expect(run('2026-09-01T00:00:00+08:00')).toEqual({
      stdout:
        `${file}: policy seed-2026.2 is valid\n` +
        '  24x7: no holiday data (weekly hours only)\n' +
        '  cn-daily: no holiday data (weekly hours only)\n' +
        '  cn-business-hours: holiday data through 2026-12-31\n' +
        '  de-business-hours: no holiday data (weekly hours only)\n' +
        '  us-business-hours: no holiday data (weekly hours only)\n' +
        '  ca-business-hours: no holiday data (weekly hours only)\n' +
        '  au-business-hours: no holiday data (weekly hours only)\n' +
        '  uk-business-hours: no holiday data (weekly hours only)\n',
      stderr: '',
    });
    expect(run('2026-11-30T00:00:00+08:00').stderr).toMatch(
      /^docket: warning: calendar cn-business-hours has holiday data through 2026-12-31 only \(32 days left\).*\[calendar-horizon-near\]\n$/,
    );
  });

  it('policy import-holidays prints a new policy version that policy check accepts', () => {
    const ics = 'test/fixtures/holidays/cn-2026.ics';
    const run = docket(
      'policy',
      'import-holidays',
      '--calendar',
      'cn-business-hours',
      '--version',
      'seed-2026.2+ics',
      '--through',
      '2027-03-31',
      ics,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /cn-business-hours: 33 closed date\(s\) and 6 make-up working day\(s\).*through 2027-03-31/,
    );
    const file = join(tmp, 'imported.json');
    writeFileSync(file, run.stdout);
    const check = docket('policy', 'check', file);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/policy seed-2026\.2\+ics is valid/);
    expect(check.stdout).toMatch(/cn-business-hours: holiday data through 2027-03-31/);

    for (const args of [
      ['--calendar', 'cn-business-hours', ics], // no --version
      ['--calendar', 'cn-business-hours', '--version', 'v2', 'package.json'],
    ]) {
      const refused = docket('policy', 'import-holidays', ...args);
      expect(refused.code, args.join(' ')).not.toBe(0);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^(docket: |error: )/);
    }
  }, 60_000);

  it('an unknown command exits non-zero', () => {
    expect(docket('fly').code).not.toBe(0);
  });
});
