import type { OutcomeFigures } from '../application/whatif/outcomeFigures.js';
import type { WhatifGroup, WhatifReport } from '../application/whatif/whatifReport.js';

/** A business duration as people read it: `2d 03h 05m` (d = 24 h), `45m`, `12s`. */
export const formatBusinessMs = (ms: number | null): string => {
  if (ms === null) return '-';
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60_000);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor(minutes / 60) % 24, minutes % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${pad(h)}h ${pad(m)}m`;
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m`;
};

const columns: ReadonlyArray<[string, (f: OutcomeFigures) => string]> = [
  ['cases', (f) => String(f.cases)],
  ['within target', (f) => `${f.withinTarget}/${f.firstResponses}`],
  ['breaches', (f) => String(f.breaches)],
  ['downgrades', (f) => String(f.downgrades)],
  ['nonresponse', (f) => String(f.nonresponseResolutions)],
  ['auto-closes', (f) => String(f.autoCloses)],
  ['median response', (f) => formatBusinessMs(f.medianResponseBusinessMs)],
  ['p90 response', (f) => formatBusinessMs(f.p90ResponseBusinessMs)],
];

const row = (g: WhatifGroup): string[] => [
  `${g.offering}/${g.line}/${g.severity}`,
  ...columns.map(([, cell]) => {
    const [before, after] = [cell(g.before), cell(g.after)];
    return before === after ? before : `${before} → ${after}`;
  }),
];

const table = (rows: readonly string[][]): string => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) => r.map((c, i) => c + ' '.repeat((widths?.[i] ?? 0) - [...c].length)).join('  '))
    .map((line) => line.trimEnd() + '\n')
    .join('');
};

/** Words wrapped at `width` columns, each line ending with a newline. */
const wrap = (text: string, width: number): string => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line].map((l) => l + '\n').join('');
};

/**
 * `docket policy whatif` for people: the figures per offering/line/severity and overall (a cell
 * reads `before → after` where they differ), the changed cases, the refused commands, the note.
 */
export const whatifText = (report: WhatifReport): string => {
  const { filter, asOf } = report;
  const policy = report.policy === 'recorded' ? 'the recorded policies' : `policy ${report.policy}`;
  const out = [
    `Policy what-if: the log replayed under ${policy}, ` +
      (asOf === null ? 'empty log\n' : `as of ${asOf.at} (position ${asOf.position})\n`),
    `Cases opened from ${filter.from ?? 'the start'} to ${filter.to ?? 'the end'}` +
      `, tenant ${filter.tenant ?? 'any'}, offering ${filter.offering ?? 'any'}\n`,
    'Figures: recorded → replayed; business time of the first response\n\n',
    table([
      ['offering/line/severity', ...columns.map(([name]) => name)],
      ...report.groups.map(row),
      row(report.overall),
    ]),
    `\nCases whose outcome changes: ${report.changed.length}\n`,
  ];
  for (const c of report.changed) {
    for (const ch of c.changes) {
      out.push(
        `  ${c.caseId}  ${c.offering}/${c.line}/${c.severity}  ${ch.what}: ` +
          `${String(ch.before)} → ${String(ch.after)} at ${ch.at}\n`,
      );
    }
  }
  out.push(`\nCommands refused: ${report.refused.count}\n`);
  for (const r of report.refused.commands) {
    const skipped = r.skipped === undefined ? '' : ` (${r.skipped} later command(s) not replayed)`;
    out.push(`  ${r.caseId}  ${r.command} at ${r.at}: ${r.message} [${r.code}]${skipped}\n`);
  }
  out.push('\n' + wrap(`Note: ${report.note}`, 96));
  return out.join('');
};
