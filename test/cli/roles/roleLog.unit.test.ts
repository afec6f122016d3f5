import { describe, expect, it } from 'vitest';
import { quietRepeats, type RoleLog } from '../../../src/cli/roles/roleLog.js';

describe('quietRepeats', () => {
  it('reports a message once per quiet period, then says how many it left out', () => {
    const lines: string[] = [];
    const log: RoleLog = {
      info: () => undefined,
      warn: () => undefined,
      error: (error, what) => lines.push(`${what}: ${(error as Error).message}`),
    };
    let now = 0;
    const report = quietRepeats(log, 'timer backend', 60_000, () => now);
    for (; now < 10_000; now += 200) report(new Error('connect ECONNREFUSED'));
    report(new Error('another failure'));
    now = 60_000;
    report(new Error('connect ECONNREFUSED'));
    report(new Error('connect ECONNREFUSED'));
    expect(lines).toEqual([
      'timer backend: connect ECONNREFUSED',
      'timer backend: another failure',
      'timer backend (49 more since): connect ECONNREFUSED',
    ]);
  });
});
