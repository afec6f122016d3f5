import type { Policy } from '../../src/domain/policy/policy.js';
import { candidatePolicy } from './candidatePolicy.js';

/** The built-in policy with an at-risk threshold of 75 % on every response target. */
export const atRiskPolicy: Policy = candidatePolicy('risk-test.1', (doc) => {
  for (const offering of Object.values(doc.offerings))
    for (const line of Object.values(offering.lines))
      for (const terms of Object.values(line.severities)) if (terms) terms.responseAtRisk = 0.75;
});

/**
 * The built-in policy with further targets on 21vianet technical B (cn-daily, 15 business hours
 * a day): resolution in 3 business days (at risk at 50 %), next reply in 4 hours (at risk at
 * 75 %), a periodic update every business day.
 */
export const targetsPolicy: Policy = candidatePolicy('targets-test.1', (doc) => {
  const b = doc.offerings['21vianet']!.lines['technical']!.severities.B!;
  b.resolution = { target: { businessDays: 3 }, atRisk: 0.5 };
  b.nextReply = { target: { hours: 4 }, atRisk: 0.75 };
  b.periodicUpdate = { target: { businessDays: 1 } };
});

/** The built-in policy with at-risk thresholds and every further target on every cell. */
export const allTargetsPolicy: Policy = candidatePolicy('all-targets-test.1', (doc) => {
  for (const offering of Object.values(doc.offerings))
    for (const line of Object.values(offering.lines))
      for (const terms of Object.values(line.severities)) {
        if (!terms) continue;
        terms.responseAtRisk = 0.75;
        terms.resolution = { target: { businessDays: 2 }, atRisk: 0.5 };
        terms.nextReply = { target: { hours: 2 }, atRisk: 0.75 };
        terms.periodicUpdate = { target: { hours: 6 }, atRisk: 0.75 };
      }
});
