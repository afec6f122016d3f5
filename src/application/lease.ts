/**
 * A lease on a role that at most one process may hold at a time (the timer scheduler, the
 * projector of one read-model database), with a fencing token that grows with every new holder:
 * a deposed holder's late writes can be told apart from the new holder's. Adapters: Redis,
 * PostgreSQL (a session advisory lock), SQLite (a lease row).
 */
export interface Lease {
  /**
   * Takes the lease if it is free or expired (or is already this holder's) and returns its
   * fencing token; undefined while another holder has it.
   */
  acquire(): Promise<number | undefined>;
  /** Keeps the lease: false once it is lost (expired and taken, or its connection dropped). */
  renew(): Promise<boolean>;
  /** Gives the lease up, so that a standby takes it at its next attempt. */
  release(): Promise<void>;
  /** Releases the connections the lease holds (after `release`). */
  close(): Promise<void>;
}
