import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';

export interface MachineGraph {
  readonly initial: string;
  readonly states: readonly string[];
  readonly transitions: readonly { from: string; to: string; event: string }[];
}

const W = 170;
const H = 40;
/** Where each lifecycle state is drawn (centres); a state not listed goes on the last row. */
const layout: Record<string, [number, number]> = {
  opened: [100, 150],
  responded: [330, 60],
  awaitingCustomer: [580, 60],
  downgraded: [580, 240],
  resolved: [330, 240],
  closed: [100, 300],
};
const at = (state: string, index: number): [number, number] =>
  layout[state] ?? [100 + 170 * index, 360];

/** Where the segment from a box's centre towards (tx, ty) leaves the box. */
const edgeOfBox = ([cx, cy]: [number, number], [tx, ty]: [number, number]): [number, number] => {
  const dx = tx - cx;
  const dy = ty - cy;
  const scale = Math.min(W / 2 / Math.abs(dx || 1e-9), H / 2 / Math.abs(dy || 1e-9));
  return [cx + dx * scale, cy + dy * scale];
};

/**
 * The case machine as a statechart (SVG): its states and state-changing transitions, the path
 * this case took highlighted (thicker, solid, and listed in words), the current state outlined
 * twice and marked "●".
 */
export const Statechart = ({
  graph,
  path,
}: {
  graph: MachineGraph;
  /** The states the case went through, in order (repeats collapsed). */
  path: readonly string[];
}) => {
  const { t } = useI18n();
  const taken = new Set(path.slice(1).map((to, i) => `${path[i]}>${to}`));
  const visited = new Set(path);
  const current = path[path.length - 1];
  const pairs = new Map<string, string[]>();
  for (const tr of graph.transitions) {
    const key = `${tr.from}>${tr.to}`;
    pairs.set(key, [...(pairs.get(key) ?? []), tr.event]);
  }
  const words = path.map((s) => t(`state.${s}` as MessageKey)).join(' → ');
  return (
    <figure class="statechart">
      <svg
        viewBox="0 0 760 400"
        role="img"
        aria-label={`${t('statechart')}: ${words}`}
        data-testid="statechart"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
          </marker>
        </defs>
        {[...pairs.entries()].map(([key, events]) => {
          const [from, to] = key.split('>') as [string, string];
          const a = at(from, graph.states.indexOf(from));
          const b = at(to, graph.states.indexOf(to));
          // Two-way pairs are drawn side by side, each offset to its own right.
          const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
          const off: [number, number] = [((b[1] - a[1]) / len) * 6, (-(b[0] - a[0]) / len) * 6];
          const [x1, y1] = edgeOfBox(a, b);
          const [x2, y2] = edgeOfBox(b, a);
          const onPath = taken.has(key);
          return (
            <line
              key={key}
              data-transition={key}
              data-taken={String(onPath)}
              class={onPath ? 'edge taken' : 'edge'}
              x1={x1 + off[0]}
              y1={y1 + off[1]}
              x2={x2 + off[0]}
              y2={y2 + off[1]}
              marker-end="url(#arrow)"
            >
              <title>{`${from} → ${to}: ${events.join(', ')}`}</title>
            </line>
          );
        })}
        {graph.states.map((s, i) => {
          const [cx, cy] = at(s, i);
          const now = s === current;
          return (
            <g
              key={s}
              data-state-node={s}
              data-visited={String(visited.has(s))}
              data-current={String(now)}
            >
              <rect
                x={cx - W / 2}
                y={cy - H / 2}
                width={W}
                height={H}
                rx={8}
                class={now ? 'node current' : visited.has(s) ? 'node visited' : 'node'}
              />
              <text x={cx} y={cy + 5} text-anchor="middle">
                {now ? '● ' : visited.has(s) ? '✓ ' : ''}
                {t(`state.${s}` as MessageKey)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{words}</figcaption>
    </figure>
  );
};
