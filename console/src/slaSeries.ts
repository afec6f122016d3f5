/** A row of `GET /reports/sla` (one offering, line, severity and day). */
export interface SlaRow {
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
  readonly day: string;
  readonly firstResponses: number;
  readonly withinTarget: number;
  readonly businessResponseMedianMs: number | null;
  readonly businessResponseP90Ms: number | null;
}

/** Chart data: the days (Unix seconds) and, per series, one value or null per day. */
export interface Series {
  readonly days: number[];
  readonly series: { readonly label: string; readonly values: (number | null)[] }[];
}

const HOUR = 3_600_000;

/**
 * The report's rows as uPlot's aligned columns, one series per offering, line and severity:
 * compliance (% of first responses within target) and business response time percentiles
 * (hours; median and p90, the percentiles the read model keeps).
 */
export const slaSeries = (rows: readonly SlaRow[]): { compliance: Series; response: Series } => {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const keys = [...new Set(rows.map((r) => `${r.offering} ${r.line} ${r.severity}`))].sort();
  const at = new Map(rows.map((r) => [`${r.offering} ${r.line} ${r.severity}|${r.day}`, r]));
  const column = (key: string, value: (r: SlaRow) => number | null) =>
    days.map((d) => {
      const row = at.get(`${key}|${d}`);
      return row === undefined ? null : value(row);
    });
  const x = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  return {
    compliance: {
      days: x,
      series: keys.map((k) => ({
        label: k,
        values: column(k, (r) =>
          r.firstResponses === 0 ? null : (100 * r.withinTarget) / r.firstResponses,
        ),
      })),
    },
    response: {
      days: x,
      series: keys.flatMap((k) => [
        {
          label: `${k} p50`,
          values: column(k, (r) =>
            r.businessResponseMedianMs === null ? null : r.businessResponseMedianMs / HOUR,
          ),
        },
        {
          label: `${k} p90`,
          values: column(k, (r) =>
            r.businessResponseP90Ms === null ? null : r.businessResponseP90Ms / HOUR,
          ),
        },
      ]),
    },
  };
};
