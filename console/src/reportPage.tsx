import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { useI18n } from './i18n.js';
import { LineChart } from './lineChart.js';
import { useSession } from './session.js';
import { slaSeries, type SlaRow } from './slaSeries.js';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The managers' SLA report (`GET /reports/sla`): compliance and business response-time
 * percentiles per line and severity over days, charted with uPlot and listed in a table (what
 * a screen reader reads), and its CSV (`Accept: text/csv`) for download.
 */
export const ReportPage = () => {
  const { t } = useI18n();
  const { api } = useSession();
  const [from, setFrom] = useState(() => isoDay(Date.now() - 30 * 86_400_000));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const [rows, setRows] = useState<readonly SlaRow[] | undefined>();
  const [span, setSpan] = useState<[number, number]>([0, 0]);
  const [error, setError] = useState<string | undefined>();
  const query = `/reports/sla?from=${from}&to=${to}`;

  const load = useCallback(async () => {
    try {
      setRows((await api.get<{ rows: SlaRow[] }>(query)).rows);
      setSpan([Date.parse(from) / 1000, Date.parse(to) / 1000]);
      setError(undefined);
    } catch (e) {
      setError(String(e));
    }
  }, [api, query, from, to]);
  // Read once on arrival; afterwards on "Show" (not on every keystroke in the dates).
  useEffect(() => void load(), []);
  const charts = useMemo(() => (rows === undefined ? undefined : slaSeries(rows)), [rows]);

  const download = async () => {
    const csv = await api.text(query, 'text/csv');
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `sla-${from}-${to}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">{t('report')}</h1>
      <form
        class="report-range"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label class="inline">
          {t('from')}{' '}
          <input
            name="from"
            type="date"
            value={from}
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </label>
        <label class="inline">
          {t('to')}{' '}
          <input name="to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('show')}</button>{' '}
        <button type="button" data-testid="download-csv" onClick={() => void download()}>
          {t('downloadCsv')}
        </button>
      </form>
      {error !== undefined && (
        <p role="alert">
          {t('error')}: {error}
        </p>
      )}
      {charts !== undefined && rows !== undefined && (
        <>
          <LineChart title={t('compliance')} data={charts.compliance} unit="%" days={span} />
          <LineChart title={t('percentiles')} data={charts.response} unit="h" days={span} />
          <table class="history" data-testid="report-table">
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('field.line')}</th>
                <th scope="col">{t('severity')}</th>
                <th scope="col">{t('compliance')}</th>
                <th scope="col">p50 / p90 (h)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.offering}|${r.line}|${r.severity}|${r.day}`} data-day={r.day}>
                  <td>{r.day}</td>
                  <td>
                    {r.offering} {r.line}
                  </td>
                  <td>{r.severity}</td>
                  <td data-testid="compliance">
                    {r.firstResponses === 0
                      ? t('none')
                      : `${Math.round((100 * r.withinTarget) / r.firstResponses)} % (${r.withinTarget}/${r.firstResponses})`}
                  </td>
                  <td>
                    {[r.businessResponseMedianMs, r.businessResponseP90Ms]
                      .map((v) => (v === null ? t('none') : (v / 3_600_000).toFixed(2)))
                      .join(' / ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
};
