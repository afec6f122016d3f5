import { IANAZone } from 'luxon';
import { z } from 'zod';

/** Local wall-clock time `HH:MM`; `24:00` is the end of the day and only valid as a window end. */
const wallTime = z
  .string()
  .regex(
    /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/,
    'a time is "HH:MM" (00:00–23:59, or 24:00 for the end of the day)',
  );

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Minutes after local midnight for `HH:MM` (24:00 → 1440). */
export const wallTimeToMinutes = (time: string): number => {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

const window = z.tuple([wallTime, wallTime]);
export type CalendarWindow = z.infer<typeof window>;

const windowList = z.array(window).superRefine((windows, ctx) => {
  const sorted = windows
    .map((w, index) => ({ index, start: wallTimeToMinutes(w[0]), end: wallTimeToMinutes(w[1]) }))
    .sort((a, b) => a.start - b.start);
  for (const w of sorted) {
    if (w.start === 24 * 60) {
      ctx.addIssue({ code: 'custom', path: [w.index, 0], message: '24:00 can only end a window' });
    } else if (w.end <= w.start) {
      ctx.addIssue({
        code: 'custom',
        path: [w.index],
        message: `window ends (${windows[w.index]?.[1]}) before or when it starts (${windows[w.index]?.[0]})`,
      });
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.start < prev.end) {
      ctx.addIssue({
        code: 'custom',
        path: [cur.index],
        message: `window overlaps window ${prev.index}`,
      });
    }
  }
});

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is "YYYY-MM-DD"')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a calendar date');

export const calendarDefinitionSchema = z
  .strictObject({
    /** IANA time zone the windows are read in (never the process's TZ). */
    zone: z.string().refine((zone) => IANAZone.isValidZone(zone), {
      message: 'not an IANA time zone (for example "Asia/Shanghai")',
    }),
    /** Weekly open windows in local wall-clock time; a missing day is closed. */
    week: z.strictObject({
      mon: windowList.optional(),
      tue: windowList.optional(),
      wed: windowList.optional(),
      thu: windowList.optional(),
      fri: windowList.optional(),
      sat: windowList.optional(),
      sun: windowList.optional(),
    }),
    /** Dates with no window (holidays). */
    closedDates: z.array(isoDate).default([]),
    /** Dates open although their weekday is not (make-up working days); own windows optional. */
    extraOpenDates: z
      .array(z.strictObject({ date: isoDate, windows: windowList.optional() }))
      .default([]),
    /**
     * The last local date the closed and extra open dates cover (governments publish next
     * year's holidays late in the year). A deadline computed past it uses the weekly windows
     * only and is flagged (`calendarHorizon.ts`). Optional: a calendar without holiday data
     * needs none, and `docket policy check` warns when one with holiday data omits it.
     */
    holidaysKnownThrough: isoDate.optional(),
    /** Nominal length of one business day in hours; default: a normal day's windows. */
    businessDayHours: z.number().positive().max(24).optional(),
    note: z.string().optional(),
  })
  .superRefine((calendar, ctx) => {
    const anyWindow = weekdays.some((d) => (calendar.week[d]?.length ?? 0) > 0);
    if (!anyWindow) {
      ctx.addIssue({
        code: 'custom',
        path: ['week'],
        message: 'a calendar needs at least one weekly window',
      });
    }
    const closed = new Set(calendar.closedDates);
    calendar.extraOpenDates.forEach((extra, i) => {
      if (closed.has(extra.date)) {
        ctx.addIssue({
          code: 'custom',
          path: ['extraOpenDates', i, 'date'],
          message: `${extra.date} is both closed and an extra open date`,
        });
      }
    });
  });

export type CalendarDefinition = z.infer<typeof calendarDefinitionSchema>;
