/** The calls a fault can be planned for. */
export type EsdbOperation = 'append' | 'read' | 'subscribe';

/**
 * A planned fault: the next call of its operation meets it.
 * - `not-leader`: the call fails as on a follower, naming this server as the leader;
 * - `deadline-exceeded`: the server gives up (a batch append's `Timeout` status, otherwise
 *   gRPC `DEADLINE_EXCEEDED`) without writing;
 * - `unavailable`, `access-denied`: the call fails with that error;
 * - `drop-connection`: every connection is cut (the server comes back at once, log intact),
 *   before or after an append commits, or as a read or subscription starts;
 * - `slow-commit`: the append commits when the promise `release()` returns resolves (`release`
 *   is called when the append arrives); a batch append whose deadline passes first is answered
 *   `Timeout` and still commits on release, as a server whose commit outlived the deadline.
 */
export type EsdbFault =
  | { readonly kind: 'not-leader' }
  | { readonly kind: 'deadline-exceeded' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'access-denied' }
  | { readonly kind: 'drop-connection'; readonly when?: 'before-commit' | 'after-commit' }
  | { readonly kind: 'slow-commit'; readonly release: () => Promise<void> };

/** Faults planned by a test, taken one by one by the calls they are planned for. */
export class EsdbFaults {
  readonly #planned: { operation: EsdbOperation; fault: EsdbFault }[] = [];

  /** The next `times` calls of `operation` meet `fault`. */
  inject(operation: EsdbOperation, fault: EsdbFault, times = 1): void {
    for (let i = 0; i < times; i++) this.#planned.push({ operation, fault });
  }

  take(operation: EsdbOperation): EsdbFault | undefined {
    const index = this.#planned.findIndex((p) => p.operation === operation);
    if (index < 0) return undefined;
    return this.#planned.splice(index, 1)[0]?.fault;
  }

  clear(): void {
    this.#planned.length = 0;
  }
}
