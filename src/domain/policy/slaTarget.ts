import { z } from 'zod';

/**
 * The service targets a case is measured against: the initial response (always on), and the
 * further targets a policy may turn on (docs/policy.md, _Further targets_).
 */
export const slaTargets = ['response', 'next-reply', 'periodic-update', 'resolution'] as const;
export const slaTargetSchema = z.enum(slaTargets);
export type SlaTarget = z.infer<typeof slaTargetSchema>;

/** The share of a target's business time after which a case is at risk: above 0, below 1. */
export const atRiskShareSchema = z
  .number()
  .gt(0, 'an at-risk threshold is a share of the target above 0 (e.g. 0.75)')
  .lt(1, 'an at-risk threshold is a share of the target below 1 (e.g. 0.75)');
