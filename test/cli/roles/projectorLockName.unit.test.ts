import { describe, expect, it } from 'vitest';
import { projectorLockName } from '../../../src/cli/roles/projectorRole.js';

describe("the projector's PostgreSQL lock name", () => {
  it('is one per database and schema: deployments on two schemas of one database do not block each other', () => {
    const names = [
      'postgres://docket@db:5432/docket',
      'postgres://other@db2:5432/docket', // the same database, another user and host name
      'postgres://docket@db:5432/docket?options=-c%20search_path%3Dtenant_a',
      'postgres://docket@db:5432/docket?options=-c%20search_path%3Dtenant_b',
      'postgres://docket@db:5432/reports',
    ].map(projectorLockName);
    expect(names).toEqual([
      'docket-projector/docket',
      'docket-projector/docket',
      'docket-projector/docket:tenant_a',
      'docket-projector/docket:tenant_b',
      'docket-projector/reports',
    ]);
  });
});
