import { SingleBar } from 'cli-progress';
import { allProjections } from '../../projections/allProjections.js';
import { projectionStatus } from '../application/projectionStatus.js';
import { CliFailure, type CliIo } from './cliIo.js';
import { openReadModelsSession } from './readModelsCli.js';

/**
 * `docket projections status`: each projection's version, checkpoint, lag behind the log, and
 * whether a rebuild is running (or was interrupted: then `updated` stops moving).
 */
export const projectionsStatus = async (io: CliIo, options: { json?: boolean }): Promise<void> => {
  const session = await openReadModelsSession();
  try {
    await session.projector.prepare();
    const rows = await projectionStatus(session.readModels.db, allProjections, session.store);
    const head = rows[0]?.head ?? 0;
    if (options.json === true) {
      io.out(
        JSON.stringify({ readModels: session.readModels.description, projections: rows }) + '\n',
      );
      return;
    }
    io.out(`read models: ${session.readModels.description}; log head ${head}\n`);
    for (const r of rows) {
      io.out(
        `${r.name.padEnd(16)} v${r.version}  position ${String(r.position).padStart(9)}  ` +
          `lag ${String(r.lag).padStart(9)}  rebuilding ${r.rebuilding ? 'yes' : 'no '}  ` +
          `updated ${r.updatedAt ?? 'never'}\n`,
      );
    }
  } finally {
    await session.close();
  }
};

/**
 * `docket projections rebuild [name…]`: empties the projections (all by default) and replays the
 * log into them, with a progress bar (events/s, ETA) on a terminal and plain lines otherwise.
 * A running service notices the reset checkpoints and joins the replay: each event is still
 * applied once (docs/reporting.md).
 */
export const projectionsRebuild = async (
  names: readonly string[],
  io: CliIo,
  tty: boolean = process.stderr.isTTY,
): Promise<void> => {
  const known = allProjections.map((p) => p.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new CliFailure(`unknown projection ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const session = await openReadModelsSession();
  try {
    await session.projector.prepare();
    await session.projector.rebuild(names);
    const head = Number(await session.head());
    const started = Date.now();
    let done = 0;
    const bar = tty
      ? new SingleBar({
          format:
            'rebuilding [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta}s',
          stream: process.stderr,
        })
      : undefined;
    bar?.start(head, 0, { rate: 0 });
    let lastLine = 0;
    const progress = (position: number) => {
      done = position;
      const seconds = (Date.now() - started) / 1000;
      const rate = Math.round(done / Math.max(seconds, 0.001));
      bar?.update(done, { rate });
      if (bar === undefined && (Date.now() - lastLine > 2_000 || done >= head)) {
        lastLine = Date.now();
        const eta = rate > 0 ? Math.round((head - done) / rate) : 0;
        io.err(`rebuilding: ${done}/${head} events, ${rate} events/s, ETA ${eta}s\n`);
      }
    };
    const timer = setInterval(() => {
      void session.projector
        .status()
        .then((s) => progress(Math.min(...s.map((x) => Math.max(x.position, 0)))));
    }, 250);
    try {
      await session.projector.start();
      await session.projector.caughtUp(head);
    } finally {
      clearInterval(timer);
    }
    progress(head);
    bar?.stop();
    const seconds = (Date.now() - started) / 1000;
    io.out(
      `rebuilt ${names.length === 0 ? known.join(', ') : names.join(', ')} from ${head} events in ${seconds.toFixed(1)} s\n`,
    );
  } finally {
    await session.close();
  }
};
