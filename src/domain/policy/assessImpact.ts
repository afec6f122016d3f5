import type { Severity } from './severity.js';
import type { Impact } from './impactAssessment.js';

/**
 * Proposes a severity from the seed's severity table:
 *
 * - **A** — services unusable, multiple users affected, no workaround
 *   ("one or more services aren't accessible or are unusable … multiple users or services").
 * - **C** — minimal impact, or a single user with an acceptable workaround
 *   ("a single user is experiencing partial disruption, but an acceptable workaround exists").
 * - **B** — everything else ("usable but impaired … a single user, customer, or service is
 *   partially affected").
 *
 * `users` says whom the problem reaches, not who reports it: a defect in a service or an
 * admin tool (the seed's B example "setting impossible from EAC but possible in PowerShell")
 * reaches everyone using it, so it is `multiple` even with a workaround, and lands on B.
 */
export const assessImpact = (impact: Impact): Severity => {
  if (impact.services === 'unusable' && impact.users === 'multiple' && !impact.workaround)
    return 'A';
  if (impact.services === 'minimal') return 'C';
  if (impact.users === 'one' && impact.workaround) return 'C';
  return 'B';
};
