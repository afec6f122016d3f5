import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from './readModelDatabase.js';

export interface SlaReportQuery {
  /** First day (YYYY-MM-DD, in each offering's zone), inclusive. */
  readonly from: string;
  /** Last day, inclusive. */
  readonly to: string;
  readonly offering?: string | undefined;
  readonly line?: string | undefined;
}

/** One line of the SLA compliance report: one offering, line, severity and day. */
export interface SlaReportRow {
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
  readonly day: string;
  readonly opened: number;
  readonly firstResponses: number;
  readonly withinTarget: number;
  readonly breaches: number;
  /** Time to first response, wall clock and business time, in milliseconds (null: none yet). */
  readonly responseMedianMs: number | null;
  readonly responseP90Ms: number | null;
  readonly businessResponseMedianMs: number | null;
  readonly businessResponseP90Ms: number | null;
  readonly downgrades: number;
  readonly reopens: number;
  readonly surveys: number;
  readonly averageRating: number | null;
  /** At-risk warnings recorded, every target. */
  readonly atRiskWarnings: number;
  /** Cases resolved within the resolution target (latest resolution), and its breaches. */
  readonly resolutionsWithinTarget: number;
  readonly resolutionBreaches: number;
  /** Next replies within target, and breaches. */
  readonly nextRepliesWithinTarget: number;
  readonly nextReplyBreaches: number;
  /** Periodic updates within target, and breaches. */
  readonly periodicUpdatesWithinTarget: number;
  readonly periodicUpdateBreaches: number;
}

const sum = (
  cases: readonly Record<string, unknown>[],
  column:
    | 'at_risk_warnings'
    | 'resolution_breaches'
    | 'next_reply_met'
    | 'next_reply_breaches'
    | 'periodic_update_met'
    | 'periodic_update_breaches',
): number => cases.reduce((n, c) => n + Number(c[column]), 0);

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: readonly number[], p: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * The SLA compliance report from `sla_cases`, by the day each case was opened. Percentiles are
 * nearest-rank over the cases that had a first response; ratings average the submitted surveys.
 */
export const slaReport = async (
  db: Kysely<ReadModelDatabase>,
  q: SlaReportQuery,
): Promise<SlaReportRow[]> => {
  let query = db
    .selectFrom('sla_cases')
    .selectAll()
    .where('day', '>=', q.from)
    .where('day', '<=', q.to);
  if (q.offering !== undefined) query = query.where('offering', '=', q.offering);
  if (q.line !== undefined) query = query.where('line', '=', q.line);
  const groups = new Map<string, Awaited<ReturnType<typeof query.execute>>>();
  for (const row of await query.execute()) {
    const key = [row.offering, row.line, row.severity, row.day].join('\u0000');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  const rows: SlaReportRow[] = [];
  for (const cases of groups.values()) {
    const first = cases[0]!;
    const responded = cases.filter((c) => c.response_ms !== null);
    const wall = responded.map((c) => Number(c.response_ms)).sort((a, b) => a - b);
    const business = responded.map((c) => Number(c.response_business_ms)).sort((a, b) => a - b);
    const ratings = cases.flatMap((c) => (c.survey_rating === null ? [] : [c.survey_rating]));
    rows.push({
      offering: first.offering,
      line: first.line,
      severity: first.severity,
      day: first.day,
      opened: cases.length,
      firstResponses: responded.length,
      withinTarget: responded.filter((c) => c.within_target === 1).length,
      breaches: cases.filter((c) => c.breached === 1).length,
      responseMedianMs: percentile(wall, 50),
      responseP90Ms: percentile(wall, 90),
      businessResponseMedianMs: percentile(business, 50),
      businessResponseP90Ms: percentile(business, 90),
      downgrades: cases.reduce((n, c) => n + c.downgrades, 0),
      reopens: cases.reduce((n, c) => n + c.reopens, 0),
      surveys: ratings.length,
      averageRating:
        ratings.length === 0 ? null : ratings.reduce((a, b) => a + b, 0) / ratings.length,
      atRiskWarnings: sum(cases, 'at_risk_warnings'),
      resolutionsWithinTarget: cases.filter((c) => c.resolution_within_target === 1).length,
      resolutionBreaches: sum(cases, 'resolution_breaches'),
      nextRepliesWithinTarget: sum(cases, 'next_reply_met'),
      nextReplyBreaches: sum(cases, 'next_reply_breaches'),
      periodicUpdatesWithinTarget: sum(cases, 'periodic_update_met'),
      periodicUpdateBreaches: sum(cases, 'periodic_update_breaches'),
    });
  }
  const order = (r: SlaReportRow) => [r.day, r.offering, r.line, r.severity].join('\u0000');
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
};

/** The report as CSV (RFC 4180): a header, then one line per row. */
export const slaReportCsv = (rows: readonly SlaReportRow[]): string => {
  const columns: Array<keyof SlaReportRow> = [
    'day',
    'offering',
    'line',
    'severity',
    'opened',
    'firstResponses',
    'withinTarget',
    'breaches',
    'responseMedianMs',
    'responseP90Ms',
    'businessResponseMedianMs',
    'businessResponseP90Ms',
    'downgrades',
    'reopens',
    'surveys',
    'averageRating',
    'atRiskWarnings',
    'resolutionsWithinTarget',
    'resolutionBreaches',
    'nextRepliesWithinTarget',
    'nextReplyBreaches',
    'periodicUpdatesWithinTarget',
    'periodicUpdateBreaches',
  ];
  const cell = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return (
    [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') +
    '\r\n'
  );
};
