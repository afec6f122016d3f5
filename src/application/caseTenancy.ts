import { caseStreamId } from '../domain/case/stream/caseStreamId.js';
import type { EventStore } from './eventStore.js';

/**
 * Which tenant each case belongs to, for the refusal order of every case route: a case's
 * tenant is fixed by its `CaseOpened`, so once read it is kept (most recently used first) and
 * never goes stale. Cases not found are not remembered: they may be opened later.
 */
export class CaseTenancy {
  readonly #known = new Map<string, string>();

  constructor(
    private readonly store: EventStore,
    /** @defaultValue 100000 */
    private readonly capacity: number = 100_000,
  ) {}

  /** The case's tenant, or undefined if there is no such case. */
  async tenantOf(caseId: string): Promise<string | undefined> {
    const known = this.#known.get(caseId);
    if (known !== undefined) return known;
    let tenant: string | undefined;
    // Read to the end (one event), never broken off: some stores' reads must finish to close.
    for await (const event of this.store.readStream(caseStreamId(caseId), { maxCount: 1 })) {
      if (event.type === 'CaseOpened')
        tenant = (event.data as { tenant: { id: string } }).tenant.id;
    }
    if (tenant !== undefined) this.remember(caseId, tenant);
    return tenant;
  }

  /** Records the tenant of a case this process just opened. */
  remember(caseId: string, tenantId: string): void {
    this.#known.set(caseId, tenantId);
    if (this.#known.size > this.capacity) {
      const oldest = this.#known.keys().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
  }
}
