import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/application/lease.js';

/** Two processes competing for one lease, and a way to make `first`'s lapse as if it died. */
export interface LeaseRivals {
  readonly first: Lease;
  readonly second: Lease;
  /** Makes `first`'s hold lapse the way a dead holder's does (expiry, dropped connection). */
  lapse(): Promise<void>;
  close(): Promise<void>;
}

/** What every Lease adapter must do: one holder at a time, growing fencing tokens, takeover. */
export const leaseContract = (name: string, rivals: () => Promise<LeaseRivals>): void => {
  describe(`lease contract: ${name}`, () => {
    let open: LeaseRivals | undefined;
    const setup = async () => (open = await rivals());
    afterEach(async () => {
      await open?.close();
      open = undefined;
    });

    it('has one holder at a time; the holder may take it again and renew it', async () => {
      const { first, second } = await setup();
      const token = await first.acquire();
      expect(token).toBeTypeOf('number');
      expect(await second.acquire()).toBeUndefined();
      expect(await first.acquire()).toBe(token);
      expect(await first.renew()).toBe(true);
      expect(await second.renew()).toBe(false);
      expect(await second.acquire()).toBeUndefined();
    });

    it('a released lease goes to the next taker, with a larger fencing token', async () => {
      const { first, second } = await setup();
      const token = (await first.acquire())!;
      await first.release();
      const next = await second.acquire();
      expect(next).toBeGreaterThan(token);
      expect(await first.renew()).toBe(false);
      expect(await first.acquire()).toBeUndefined();
    });

    it('a holder that dies loses the lease to a standby; its renewal then fails', async () => {
      const { first, second, lapse } = await setup();
      const token = (await first.acquire())!;
      await lapse();
      const next = await second.acquire();
      expect(next).toBeGreaterThan(token);
      expect(await first.renew()).toBe(false);
      expect(await second.renew()).toBe(true);
    });
  });
};
