import type { Policy } from '../../src/domain/policy/policy.js';
import { candidatePolicy } from './candidatePolicy.js';

/** The built-in policy with an at-risk threshold of 75 % on every response target. */
export const atRiskPolicy: Policy = candidatePolicy('risk-test.1', (doc) => {
  for (const offering of Object.values(doc.offerings))
    for (const line of Object.values(offering.lines))
      for (const terms of Object.values(line.severities)) if (terms) terms.responseAtRisk = 0.75;
});
