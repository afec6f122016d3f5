import { z } from 'zod';

export const severities = ['A', 'B', 'C'] as const;
export const severitySchema = z.enum(severities);
export type Severity = z.infer<typeof severitySchema>;

/** A is the highest. */
export const severityRank = (severity: Severity): number => severities.indexOf(severity);

/** One level lower, or undefined at C (the lowest). */
export const lowerSeverity = (severity: Severity): Severity | undefined =>
  severities[severityRank(severity) + 1];
