import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from '../../src/application/lease.js';
import { Leadership } from '../../src/application/leadership.js';

/** One lease shared by in-memory rivals; `holder` is who has it. */
class Lease1 {
  holder: string | undefined;
  token = 0;
  for(owner: string): Lease & { fail: boolean } {
    return leaseOf(this, owner);
  }
}

const leaseOf = (shared: Lease1, owner: string): Lease & { fail: boolean } => {
  return {
    fail: false,
    acquire() {
      if (this.fail) return Promise.reject(new Error('unreachable'));
      if (shared.holder !== undefined && shared.holder !== owner) return Promise.resolve(undefined);
      if (shared.holder !== owner) shared.token++;
      shared.holder = owner;
      return Promise.resolve(shared.token);
    },
    renew() {
      if (this.fail) return Promise.reject(new Error('unreachable'));
      return Promise.resolve(shared.holder === owner);
    },
    release() {
      if (shared.holder === owner) shared.holder = undefined;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
};

describe('leadership', () => {
  afterEach(() => vi.useRealTimers());

  const rival = (lease: Lease, log: string[], name: string) =>
    new Leadership({
      lease,
      intervalMs: 1_000,
      lead: (token) => {
        log.push(`${name} leads (${token})`);
        return Promise.resolve(() => {
          log.push(`${name} stops`);
          return Promise.resolve();
        });
      },
    });

  it('one leads, the other stands by and takes over within an interval of a release', async () => {
    vi.useFakeTimers();
    const lease = new Lease1();
    const log: string[] = [];
    const a = rival(lease.for('a'), log, 'a');
    const b = rival(lease.for('b'), log, 'b');
    await a.start();
    await b.start();
    expect([a.token, b.token]).toEqual([1, undefined]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(log).toEqual(['a leads (1)']);
    await a.close();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['a leads (1)', 'a stops', 'b leads (2)']);
    await b.close();
  });

  it('stops leading at the first failed renewal, and competes again', async () => {
    vi.useFakeTimers();
    const lease = new Lease1();
    const log: string[] = [];
    const mine = lease.for('a');
    const a = rival(mine, log, 'a');
    await a.start();
    mine.fail = true; // the lease's store is unreachable: a renewal fails
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.token).toBeUndefined();
    expect(log).toEqual(['a leads (1)', 'a stops']);
    lease.holder = undefined; // its hold expired meanwhile
    mine.fail = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['a leads (1)', 'a stops', 'a leads (2)']);
    await a.close();
  });

  it('a leader that cannot start its work gives the lease back', async () => {
    const lease = new Lease1();
    const a = new Leadership({
      lease: lease.for('a'),
      lead: () => Promise.reject(new Error('Redis is down')),
      onError: () => undefined,
    });
    await a.start();
    expect(a.token).toBeUndefined();
    expect(lease.holder).toBeUndefined();
    await a.close();
  });
});
