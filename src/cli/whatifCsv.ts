import type { OutcomeFigures } from '../application/whatif/outcomeFigures.js';
import type { WhatifReport } from '../application/whatif/whatifReport.js';

const figures: ReadonlyArray<[string, (f: OutcomeFigures) => number | null]> = [
  ['cases', (f) => f.cases],
  ['first_responses', (f) => f.firstResponses],
  ['within_target', (f) => f.withinTarget],
  ['breaches', (f) => f.breaches],
  ['downgrades', (f) => f.downgrades],
  ['nonresponse_resolutions', (f) => f.nonresponseResolutions],
  ['auto_closes', (f) => f.autoCloses],
  ['median_response_business_ms', (f) => f.medianResponseBusinessMs],
  ['p90_response_business_ms', (f) => f.p90ResponseBusinessMs],
];

const cell = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * `docket policy whatif --csv`: one row per offering × line × severity, then the `all` row;
 * each figure recorded (`_before`) and replayed (`_after`). The changed cases and refusals are
 * in the text and JSON outputs.
 */
export const whatifCsv = (report: WhatifReport): string => {
  const header = [
    'offering',
    'line',
    'severity',
    ...figures.flatMap(([name]) => [`${name}_before`, `${name}_after`]),
  ];
  const rows = [...report.groups, report.overall].map((g) => [
    g.offering,
    g.line,
    g.severity,
    ...figures.flatMap(([, of]) => [of(g.before), of(g.after)]),
  ]);
  return [header, ...rows].map((r) => r.map(cell).join(',') + '\r\n').join('');
};
