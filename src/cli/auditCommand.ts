import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { openEventStore } from '../adapters/openEventStore.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { SqliteEventStore } from '../adapters/sqliteEventStore.js';
import { systemClock } from '../adapters/systemClock.js';
import {
  exportCase,
  exportHeader,
  exportTenant,
  formatExported,
  type ExportFormat,
} from '../application/auditExport.js';
import { verifyStore, verifyStream, type StreamBreak } from '../application/auditVerifier.js';
import { caseAt, caseHistory } from '../application/caseAudit.js';
import { caseEventUpcasters } from '../application/caseEventUpcasters.js';
import { CASE_ID_PATTERN, caseStreamId } from '../domain/case/stream/caseStreamId.js';
import type { EventStore, RecordedEvent } from '../application/eventStore.js';
import { PolicyLog } from '../application/policyLog.js';
import { UpcasterRegistry, withUpcasting } from '../application/upcasting.js';
import { loadServiceConfig } from '../config/serviceConfig.js';
import { validationError } from '../domain/docketError.js';
import { parseInstant } from '../domain/instant.js';
import { CliFailure, type CliIo } from './cliIo.js';
import { verifyInThreads } from './verifyThreads.js';

const upcasters = new UpcasterRegistry(caseEventUpcasters);

/** The configured store, as stored (no upcasting: hashes cover the stored form). */
const withStore = async <T>(use: (store: EventStore) => Promise<T>): Promise<T> => {
  const config = loadServiceConfig(process.env);
  if (!config.ok) throw config.error;
  const { store } = openEventStore(config.value);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
};

const checkCaseId = (caseId: string) => {
  if (!CASE_ID_PATTERN.test(caseId))
    throw validationError(`invalid case id ${JSON.stringify(caseId)}`, [
      { path: 'case', message: 'letters, digits, . _ ~ -' },
    ]);
};

const readCase = async (store: EventStore, caseId: string) => {
  checkCaseId(caseId);
  const events: RecordedEvent[] = [];
  for await (const e of withUpcasting(store, upcasters).readStream(caseStreamId(caseId)))
    events.push(e);
  if (events.length === 0) throw new CliFailure(`case ${caseId} not found`);
  return events;
};

/** `docket audit history <case>`: every event with its envelope and the state after it. */
export const auditHistory = (caseId: string, options: { json?: boolean }, io: CliIo) =>
  withStore(async (store) => {
    const entries = caseHistory(await readCase(store, caseId));
    if (options.json === true) return io.out(JSON.stringify({ caseId, entries }, null, 2) + '\n');
    for (const e of entries) {
      const actor = `${e.actor.role}:${e.actor.id}${e.actor.tenant === undefined ? '' : `@${e.actor.tenant}`}`;
      io.out(
        `${String(e.revision).padStart(4)}  ${e.occurredAt}  ${e.type.padEnd(24)} ${actor.padEnd(28)} ` +
          `→ ${e.state ?? '(refused)'} ${e.severity ?? ''}  cmd ${e.commandId}  policy ${e.policyVersion ?? '-'} machine v${e.machineVersion ?? '-'}\n`,
      );
    }
  });

/** `docket audit at <case> <ISO>`: the case as it was then, with its running deadlines. */
export const auditAt = (caseId: string, instant: string, io: CliIo) =>
  withStore(async (store) => {
    const at = parseInstant(instant);
    if (Number.isNaN(at))
      throw validationError(`invalid instant ${JSON.stringify(instant)}`, [
        { path: 'instant', message: 'ISO 8601 with an offset, e.g. 2026-11-23T10:00:00+08:00' },
      ]);
    const config = loadServiceConfig(process.env);
    if (!config.ok) throw config.error;
    const policy = readPolicyFile(config.value.policyFile);
    if (!policy.ok) throw policy.error;
    const policies = await new PolicyLog(store, systemClock).adopt(policy.value);
    if (!policies.ok) throw policies.error;
    const then = caseAt(await readCase(store, caseId), at, (v) => policies.value.byVersion(v));
    if (then === undefined) throw new CliFailure(`case ${caseId} did not exist at ${instant}`);
    const { state, context } = then.snapshot;
    io.out(
      JSON.stringify(
        {
          caseId,
          at: then.at,
          revision: then.revision,
          state,
          severity: context.severity,
          breached: context.breached,
          assignee: context.assignee ?? null,
          policyVersion: context.policyVersion,
          runningDeadlines: then.deadlines,
        },
        null,
        2,
      ) + '\n',
    );
  });

const describeBreak = (b: StreamBreak) => `${b.streamId}@${b.revision} ${b.kind}: ${b.reason}\n`;

/**
 * `docket audit verify <case>` or `--all`: recomputes hash chains and replays streams through
 * the machine; every break is printed; exit 1 if there is any.
 */
export const auditVerify = async (
  caseId: string | undefined,
  options: { all?: boolean; jobs?: number },
  io: CliIo,
  tty: boolean = process.stderr.isTTY,
): Promise<void> => {
  if ((caseId === undefined) === (options.all !== true))
    throw new CliFailure('give one case id, or --all for the whole store');
  const found = await withStore(async (store) => {
    if (caseId !== undefined) {
      checkCaseId(caseId);
      const events: RecordedEvent[] = [];
      for await (const e of store.readStream(caseStreamId(caseId))) events.push(e);
      if (events.length === 0) throw new CliFailure(`case ${caseId} not found`);
      const breaks = verifyStream(caseStreamId(caseId), events, upcasters);
      breaks.forEach((b) => io.out(describeBreak(b)));
      io.out(
        `${caseStreamId(caseId)}: ${events.length} events, ${breaks.length === 0 ? 'intact' : `${breaks.length} break(s)`}\n`,
      );
      return breaks.length;
    }
    const started = Date.now();
    const bar = tty
      ? new SingleBar({
          format: 'verifying [{bar}] {percentage}% | {value}/{total} events | {rate} events/s',
          stream: process.stderr,
        })
      : undefined;
    let lastLine = 0;
    let barStarted = false;
    const totalEvents = await store.countEvents?.();
    const progress = (p: { streams: number; events: number }) => {
      const rate = Math.round(p.events / Math.max((Date.now() - started) / 1000, 0.001));
      const total = Math.max(totalEvents ?? p.events, p.events);
      if (bar !== undefined) {
        if (!barStarted) bar.start(total, 0, { rate });
        barStarted = true;
        bar.setTotal(total);
        bar.update(p.events, { rate });
      } else if (Date.now() - lastLine > 2_000 || p.events === totalEvents) {
        lastLine = Date.now();
        const of = totalEvents === undefined ? '' : `/${totalEvents}`;
        io.err(`verifying: ${p.events}${of} events, ${rate} events/s\n`);
      }
    };
    const onBreak = (b: StreamBreak) => io.out(describeBreak(b));
    // Streams are independent: on SQLite, ranges of them are verified in threads side by side.
    const jobs = options.jobs ?? availableParallelism();
    const result =
      store instanceof SqliteEventStore && jobs > 1
        ? await verifyInThreads(store.path, store.streamIdSplits(jobs), onBreak, progress)
        : await verifyStore(store, upcasters, onBreak, progress);
    bar?.stop();
    const seconds = (Date.now() - started) / 1000;
    io.out(
      `${result.streams} streams, ${result.events} events verified in ${seconds.toFixed(1)} s: ` +
        `${result.breaks === 0 ? 'intact' : `${result.breaks} break(s)`}\n`,
    );
    return result.breaks;
  });
  if (found > 0) throw new CliFailure(`${found} break(s) found`, 1);
};

/** `docket audit export <case>` or `--tenant T --from D --to D`, streamed as JSON Lines or CSV. */
export const auditExport = (
  caseId: string | undefined,
  options: { format?: string; tenant?: string; from?: string; to?: string },
  io: CliIo,
) =>
  withStore(async (store) => {
    const format = (options.format ?? 'json') as ExportFormat;
    if (format !== 'json' && format !== 'csv')
      throw new CliFailure(`--format is json or csv, not ${options.format}`);
    let events: AsyncIterable<RecordedEvent>;
    if (caseId !== undefined) {
      if (options.tenant !== undefined)
        throw new CliFailure('give a case id or --tenant, not both');
      checkCaseId(caseId);
      events = exportCase(store, caseId);
    } else {
      if (options.tenant === undefined || options.from === undefined || options.to === undefined)
        throw new CliFailure(
          'give a case id, or --tenant with --from and --to (YYYY-MM-DD or ISO instants)',
        );
      const bound = (text: string, name: string) => {
        const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
        if (Number.isNaN(ms)) throw new CliFailure(`--${name}: not a date or instant: ${text}`);
        return ms;
      };
      events = exportTenant(
        store,
        options.tenant,
        bound(options.from, 'from'),
        bound(options.to, 'to'),
      );
    }
    io.out(exportHeader(format));
    for await (const event of events) io.out(formatExported(event, format));
  });
