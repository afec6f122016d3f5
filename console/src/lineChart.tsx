import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './slaSeries.js';

/** Distinct strokes and dashes: series differ by more than colour. */
const strokes = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#92400e', '#0e7490'];
const dashes = [[], [6, 3], [2, 3], [10, 4, 2, 4]];

/** A uPlot line chart of aligned series over days, with points so single days show. */
export const LineChart = ({
  title,
  data,
  unit,
  days,
}: {
  title: string;
  data: Series;
  unit: string;
  /** The days asked for, first and last (Unix seconds): the x axis spans them. */
  days: [number, number];
}) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (box.current === null) return;
    const plot = new uPlot(
      {
        title,
        width: 720,
        height: 260,
        scales: { x: { time: true, range: () => [days[0], days[1] + 86_400] } },
        axes: [{}, { label: unit }],
        series: [
          {},
          ...data.series.map((s, i) => ({
            label: s.label,
            stroke: strokes[i % strokes.length],
            dash: dashes[Math.floor(i / strokes.length) % dashes.length],
            width: 2,
            points: { show: true, size: 6 },
            spanGaps: false,
          })),
        ],
      },
      [data.days, ...data.series.map((s) => s.values)],
      box.current,
    );
    return () => plot.destroy();
  }, [title, data, unit, days]);
  return <div ref={box} role="img" aria-label={title} data-testid="chart" />;
};
