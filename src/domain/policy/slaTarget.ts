import { z } from 'zod';
import { businessDurationSchema, durationToMillis } from './businessDuration.js';

/**
 * The service targets a case is measured against: the initial response (always on), and the
 * further targets a policy may turn on (docs/policy.md, _Further targets_).
 */
export const slaTargets = ['response', 'next-reply', 'periodic-update', 'resolution'] as const;
export const slaTargetSchema = z.enum(slaTargets);
export type SlaTarget = z.infer<typeof slaTargetSchema>;

/**
 * The further targets, in the order their checks run: each a clock that pauses while the case
 * awaits the customer. Off unless a policy sets them.
 */
export const furtherTargets = ['resolution', 'next-reply', 'periodic-update'] as const;
export type FurtherTarget = (typeof furtherTargets)[number];

/** The further targets as a policy's severity cell names them. */
export const furtherTargetKeys = {
  resolution: 'resolution',
  'next-reply': 'nextReply',
  'periodic-update': 'periodicUpdate',
} as const satisfies Record<FurtherTarget, string>;

/** The share of a target's business time after which a case is at risk: above 0, below 1. */
export const atRiskShareSchema = z
  .number()
  .gt(0, 'an at-risk threshold is a share of the target above 0 (e.g. 0.75)')
  .lt(1, 'an at-risk threshold is a share of the target below 1 (e.g. 0.75)');

/** A further target in a severity cell: its business time and, optionally, its at-risk share. */
export const furtherTargetTermsSchema = z.strictObject({
  target: businessDurationSchema.refine(
    (d) => durationToMillis(d, 3_600_000) > 0,
    'a target needs some business time (for example { "hours": 4 })',
  ),
  atRisk: atRiskShareSchema.optional(),
});
export type FurtherTargetTerms = z.infer<typeof furtherTargetTermsSchema>;
