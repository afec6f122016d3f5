import { z } from 'zod';

/**
 * A span of business time. `businessDays` is counted in the calendar's nominal business day;
 * the other units are plain elapsed time inside the calendar's windows. Parts add up.
 */
export const businessDurationSchema = z
  .strictObject({
    businessDays: z.number().nonnegative().optional(),
    hours: z.number().nonnegative().optional(),
    minutes: z.number().nonnegative().optional(),
    seconds: z.number().nonnegative().optional(),
  })
  .refine(
    (d) => Object.values(d).some((v) => v !== undefined),
    'a duration needs at least one of businessDays, hours, minutes, seconds',
  );
export type BusinessDuration = z.infer<typeof businessDurationSchema>;

const HOUR_MS = 3_600_000;

/** The duration in milliseconds of business time, given the calendar's nominal business day. */
export const durationToMillis = (duration: BusinessDuration, nominalDayMs: number): number =>
  Math.round(
    (duration.businessDays ?? 0) * nominalDayMs +
      (duration.hours ?? 0) * HOUR_MS +
      (duration.minutes ?? 0) * 60_000 +
      (duration.seconds ?? 0) * 1_000,
  );

/** "1 business day", "4 hours", "30 seconds": for messages and CLI output. */
export const describeDuration = (duration: BusinessDuration): string => {
  const parts: string[] = [];
  const unit = (n: number | undefined, one: string) => {
    if (n !== undefined && n !== 0) parts.push(`${n} ${one}${n === 1 ? '' : 's'}`);
  };
  unit(duration.businessDays, 'business day');
  unit(duration.hours, 'hour');
  unit(duration.minutes, 'minute');
  unit(duration.seconds, 'second');
  return parts.length > 0 ? parts.join(' ') : '0 seconds';
};
