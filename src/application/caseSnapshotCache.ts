import type { CaseSnapshot } from '../domain/case/rebuildCase.js';

/**
 * The most recently used case snapshots, so a command on a busy case need not replay its
 * stream. Holds no truth: a snapshot is only a guess that the handler confirms by appending
 * with its revision as the expected one.
 */
export class CaseSnapshotCache {
  readonly #entries = new Map<string, CaseSnapshot>();

  constructor(private readonly capacity: number) {}

  get(caseId: string): CaseSnapshot | undefined {
    const snapshot = this.#entries.get(caseId);
    if (snapshot !== undefined) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.#entries.delete(caseId);
      this.#entries.set(caseId, snapshot);
    }
    return snapshot;
  }

  set(caseId: string, snapshot: CaseSnapshot): void {
    if (this.capacity <= 0) return;
    const current = this.#entries.get(caseId);
    // Concurrent commands may finish out of order: never replace a newer snapshot.
    if (current !== undefined && current.revision > snapshot.revision) return;
    this.#entries.delete(caseId);
    this.#entries.set(caseId, snapshot);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  delete(caseId: string): void {
    this.#entries.delete(caseId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
