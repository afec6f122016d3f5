import { availableParallelism } from 'node:os';
import { openEventStore } from '../adapters/openEventStore.js';
import { readPolicyFile } from '../adapters/policyFile.js';
import { SqliteEventStore } from '../adapters/sqliteEventStore.js';
import { caseEventUpcasters } from '../application/caseEventUpcasters.js';
import { UpcasterRegistry, withUpcasting } from '../application/upcasting.js';
import { parseRangeBound } from '../application/whatif/rangeBound.js';
import { recordedPolicies } from '../application/whatif/recordedPolicies.js';
import { CASE_STREAMS, type WhatifPolicy } from '../application/whatif/replayCaseStreams.js';
import { runWhatif } from '../application/whatif/runWhatif.js';
import { loadServiceConfig } from '../config/serviceConfig.js';
import { CliFailure, type CliIo } from './cliIo.js';
import { whatifCsv } from './whatifCsv.js';
import { whatifText } from './whatifText.js';
import { whatifInThreads } from './whatifThreads.js';

export interface WhatifCliOptions {
  policy: string;
  from?: string;
  to?: string;
  tenant?: string;
  offering?: string;
  json?: boolean;
  csv?: boolean;
  threads?: number;
}

/** At most this many threads by default, whatever the cores: each holds its own heap. */
const DEFAULT_THREADS_CAP = 8;
/**
 * By default a thread is started per this many events of the log, no more: each thread loads
 * the modules and warms up its own JIT (a second or more of CPU on the development VM), which a
 * smaller share of the work does not pay back (10,000 cases: 5.3 s in one thread, 10.0 s in
 * two, on a loaded VM).
 */
const DEFAULT_EVENTS_PER_THREAD = 250_000;

const bound = (text: string | undefined, name: string): number | undefined => {
  if (text === undefined) return undefined;
  const ms = parseRangeBound(text);
  if (ms === undefined)
    throw new CliFailure(
      `--${name}: not a day (YYYY-MM-DD) or an ISO 8601 instant with an offset: ${text}`,
    );
  return ms;
};

/**
 * `docket policy whatif --policy candidate.json|recorded`: replays the recorded cases opened in
 * the range under the candidate (or each under its recorded policy version) and prints how
 * their outcomes compare (docs/whatif.md). Reads the configured store; never writes to it; on
 * SQLite, in `--threads` worker threads over ranges of case streams (the same report). With
 * `recorded`, any difference from the log is a failure (exit 1) after the report is printed.
 */
export const policyWhatif = async (options: WhatifCliOptions, io: CliIo): Promise<void> => {
  if (options.json === true && options.csv === true)
    throw new CliFailure('give --json or --csv, not both');
  const from = bound(options.from, 'from');
  const to = bound(options.to, 'to');
  if (from !== undefined && to !== undefined && from >= to)
    throw new CliFailure(`--from ${options.from} is not before --to ${options.to}`);
  let candidate: WhatifPolicy | undefined;
  if (options.policy !== 'recorded') {
    const policy = readPolicyFile(options.policy);
    if (!policy.ok) throw policy.error;
    candidate = { kind: 'candidate', policy: policy.value };
  }
  const config = loadServiceConfig(process.env);
  if (!config.ok) throw config.error;
  const { store: rawStore } = openEventStore(config.value);
  const store = withUpcasting(rawStore, new UpcasterRegistry(caseEventUpcasters));
  let report;
  try {
    const policy = candidate ?? { kind: 'recorded', byVersion: await recordedPolicies(store) };
    const { tenant, offering } = options;
    const filter = { from, to, tenant, offering };
    // Cases are independent: on SQLite, ranges of case streams are replayed in threads.
    const threads =
      options.threads ??
      Math.min(
        availableParallelism(),
        DEFAULT_THREADS_CAP,
        Math.ceil(((await rawStore.countEvents?.()) ?? 0) / DEFAULT_EVENTS_PER_THREAD),
      );
    const replayer =
      rawStore instanceof SqliteEventStore && threads > 1
        ? whatifInThreads(
            rawStore.path,
            rawStore.streamIdSplits(threads, CASE_STREAMS),
            candidate ?? { kind: 'recorded' },
            filter,
          )
        : undefined;
    report = await runWhatif(store, { policy, ...filter, replayer });
  } finally {
    await rawStore.close();
  }
  if (options.json === true) io.out(JSON.stringify(report, null, 2) + '\n');
  else if (options.csv === true) {
    io.out(whatifCsv(report));
    io.err(`docket: note: ${report.note}\n`);
  } else io.out(whatifText(report));
  if (options.policy === 'recorded' && (report.changed.length > 0 || report.refused.count > 0))
    throw new CliFailure(
      `the replay under the recorded policies does not reproduce the log: ` +
        `${report.changed.length} case(s) differ, ${report.refused.count} command(s) refused`,
    );
};
