import type { CaseOutcome } from './caseOutcome.js';

/**
 * The figures of a set of cases: how many, how many got a first response and how many of those
 * within target, breaches, downgrades for nonresponse (events, not cases), resolutions for
 * nonresponse, auto-closes, and the median and 90th percentile of the business time the first
 * responses took (nearest rank; null without a response).
 */
export interface OutcomeFigures {
  readonly cases: number;
  readonly firstResponses: number;
  readonly withinTarget: number;
  readonly breaches: number;
  readonly downgrades: number;
  readonly nonresponseResolutions: number;
  readonly autoCloses: number;
  readonly medianResponseBusinessMs: number | null;
  readonly p90ResponseBusinessMs: number | null;
}

/** The value at rank ⌈p·n⌉ of the sorted values (nearest rank): always one of them. */
export const nearestRank = (sorted: readonly number[], p: number): number | null =>
  sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null);

/** Adds outcomes up; memory: one number per first response, for the percentiles. */
export class FiguresTally {
  #cases = 0;
  #withinTarget = 0;
  #breaches = 0;
  #downgrades = 0;
  #nonresponseResolutions = 0;
  #autoCloses = 0;
  readonly #responses: number[] = [];

  add(outcome: CaseOutcome): void {
    this.#cases++;
    if (outcome.firstResponse !== undefined) {
      this.#responses.push(outcome.firstResponse.businessElapsedMs);
      if (outcome.firstResponse.withinTarget) this.#withinTarget++;
    }
    if (outcome.breachedAt !== undefined) this.#breaches++;
    this.#downgrades += outcome.downgradedAt.length;
    if (outcome.nonresponseResolvedAt !== undefined) this.#nonresponseResolutions++;
    if (outcome.autoClosedAt !== undefined) this.#autoCloses++;
  }

  figures(): OutcomeFigures {
    const sorted = [...this.#responses].sort((a, b) => a - b);
    return {
      cases: this.#cases,
      firstResponses: sorted.length,
      withinTarget: this.#withinTarget,
      breaches: this.#breaches,
      downgrades: this.#downgrades,
      nonresponseResolutions: this.#nonresponseResolutions,
      autoCloses: this.#autoCloses,
      medianResponseBusinessMs: nearestRank(sorted, 0.5),
      p90ResponseBusinessMs: nearestRank(sorted, 0.9),
    };
  }
}
