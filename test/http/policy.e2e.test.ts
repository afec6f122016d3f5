import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';

describe('GET /policy and GET /calendars: the policy in force, read-only', () => {
  let f: HttpFixture;
  beforeAll(async () => {
    f = await httpFixture();
  });
  afterAll(() => f.close());

  it('every caller reads the version in force and its targets; no token, no policy', async () => {
    for (const who of ['ada', 'mei', 'root'] as const) {
      const res = await f.request(who, { method: 'GET', url: '/policy' });
      expect(res.statusCode, who).toBe(200);
      const body = res.json<{ version: string; policy: Record<string, unknown> }>();
      expect(body.version).toBe('seed-2026.2');
      expect(body.policy).toMatchObject({
        version: 'seed-2026.2',
        autoClose: { days: 7 },
        offerings: { '21vianet': { lines: { technical: { severities: { B: {} } } } } },
      });
    }
    expect((await f.request(undefined, { method: 'GET', url: '/policy' })).statusCode).toBe(401);
  });

  it("lists the calendars with their holiday data, the horizon, and the clock's warnings", async () => {
    const res = await f.request('ada', { method: 'GET', url: '/calendars' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      policyVersion: string;
      calendars: {
        id: string;
        zone: string;
        week: Record<string, unknown>;
        closedDates: string[];
        extraOpenDates: { date: string }[];
        holidaysKnownThrough: string | null;
      }[];
      warnings: { code: string; calendar: string }[];
    }>();
    const cn = body.calendars.find((c) => c.id === 'cn-business-hours')!;
    expect(cn).toMatchObject({ zone: 'Asia/Shanghai', holidaysKnownThrough: '2026-12-31' });
    expect(Object.keys(cn.week)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
    expect(cn.closedDates).toContain('2026-10-01');
    expect(cn.extraOpenDates.map((d) => d.date)).toContain('2026-10-10');
    expect(body.calendars.find((c) => c.id === 'de-business-hours')!.holidaysKnownThrough).toBe(
      null,
    );
    // The fixture's clock is 2026-11-23: 38 days before the China data runs out.
    expect(body.warnings).toEqual([
      expect.objectContaining({ code: 'calendar-horizon-near', calendar: 'cn-business-hours' }),
    ]);
  });
});
