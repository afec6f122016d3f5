import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { auditAt, auditExport, auditHistory, auditVerify } from './auditCommand.js';
import { describeError, processIo, type CliIo } from './cliIo.js';
import { importHolidaysCommand, type ImportHolidaysOptions } from './importHolidaysCommand.js';
import { policyCheck, policyShow } from './policyCommand.js';
import { policyWhatif, type WhatifCliOptions } from './whatifCommand.js';
import { simulate } from './simulateCommand.js';
import { projectionsRebuild, projectionsStatus } from './projectionsCommand.js';
import { reportSla } from './reportCommand.js';
import { serve } from './serveCommand.js';
import { slaDue } from './slaDueCommand.js';
import {
  tokensCreate,
  tokensList,
  tokensRevoke,
  type TokensCreateOptions,
} from './tokensCommand.js';

const buildProgram = (io: CliIo): Command => {
  const program = new Command('docket')
    .description('Docket: event-sourced case workflow engine for SLA-bound support')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  const sla = program.command('sla').description('service-level computations');
  sla
    .command('due')
    .description('print the initial-response due instant of a case')
    .requiredOption('--offering <offering>', 'offering id, e.g. 21vianet')
    .requiredOption('--line <line>', 'support line: technical, billing or presales')
    .requiredOption('--severity <severity>', 'A, B or C')
    .requiredOption('--opened-at <iso>', 'open instant, ISO 8601 with offset')
    .option(
      '--region <region>',
      'tenant region, for offerings with regional hours (US, CA, AU, UK)',
    )
    .option('--policy <file>', 'policy file (default: the built-in policy)')
    .option('--json', 'print JSON instead of the bare instant')
    .action((options: Parameters<typeof slaDue>[0]) => slaDue(options, io));

  program
    .command('simulate')
    .description('run a scenario on an in-memory store with a virtual clock and print JSON')
    .argument('<scenario>', 'scenario file (JSON)')
    .option('--policy <file>', 'policy file overriding the scenario’s')
    .option('--pretty', 'indent the JSON output')
    .action((file: string, options: Parameters<typeof simulate>[1]) => simulate(file, options, io));

  const policy = program.command('policy').description('policy files');
  policy
    .command('show')
    .description('print the built-in default policy (JSON)')
    .action(() => policyShow(io));
  policy
    .command('check')
    .description('validate a policy file')
    .argument('<file>', 'policy file (JSON)')
    .action((file: string) => policyCheck(file, io));
  policy
    .command('whatif')
    .description(
      'replay the recorded cases opened in a range under a candidate policy and compare (docs/whatif.md)',
    )
    .requiredOption(
      '--policy <file>',
      'candidate policy file, or `recorded`: each case under its recorded version (must reproduce the log)',
    )
    .option('--from <date>', 'cases opened from this day (UTC) or instant, inclusive')
    .option('--to <date>', 'cases opened before this day (UTC) or instant, exclusive')
    .option('--tenant <tenant>', 'only this tenant’s cases')
    .option('--offering <offering>', 'only this offering’s cases')
    .option('--json', 'print JSON')
    .option('--csv', 'print the figures as CSV')
    .option(
      '--threads <n>',
      'threads replaying side by side (SQLite store; default: the cores available, at most 8, one per 250,000 events)',
      (value: string) => {
        const threads = Number(value);
        if (!Number.isInteger(threads) || threads < 1 || threads > 64)
          throw new InvalidArgumentError('a whole number from 1 to 64');
        return threads;
      },
    )
    .action((options: WhatifCliOptions) => policyWhatif(options, io));
  policy
    .command('import-holidays')
    .description(
      "print a new policy whose calendar has an iCalendar file's holidays and make-up working days",
    )
    .argument('<schedule>', 'holiday schedule (.ics)')
    .requiredOption('--calendar <id>', 'the calendar to update (for example cn-business-hours)')
    .requiredOption('--version <version>', 'the new policy version')
    .option('--policy <file>', 'the base policy file (default: the built-in policy)')
    .option(
      '--through <date>',
      'holiday data known through (default: 31 December of its last year)',
    )
    .action((file: string, options: ImportHolidaysOptions) =>
      importHolidaysCommand(file, options, io),
    );

  program
    .command('serve')
    .description('run the service (configuration: environment variables, docs/configuration.md)')
    .option(
      '--roles <roles>',
      'what this process runs, comma-separated: api, timers, projector (default: all three, or DOCKET_ROLES)',
    )
    .action((options: { roles?: string }) =>
      serve(
        io,
        options.roles === undefined ? process.env : { ...process.env, DOCKET_ROLES: options.roles },
      ),
    );

  const tokens = program.command('tokens').description('API tokens');
  tokens
    .command('create')
    .description('issue an API token (printed once) in the configured store')
    .requiredOption(
      '--role <role>',
      'customer-admin, customer-user, agent, auditor, reporter or admin',
    )
    .option('--tenant <tenant>', 'the tenant of a customer-admin or customer-user token')
    .option('--name <name>', 'who holds it: the actor id recorded on their events')
    .option('--email <address>', 'where they get e-mail notifications (admins, agents)')
    .option('--language <language>', 'the language of those e-mails: en or fr')
    .option('--json', 'print the token and its details as JSON')
    .action((options: TokensCreateOptions) => tokensCreate(options, io));
  tokens
    .command('list')
    .description('every token issued in the configured store: id, role, tenant, name, revoked')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => tokensList(options, io));
  tokens
    .command('revoke')
    .description('revoke a token (its holder is refused within seconds)')
    .argument('<tokenId>', 'the token id (`tokens list`), not the token itself')
    .action((tokenId: string) => tokensRevoke(tokenId, io));

  const projections = program
    .command('projections')
    .description('read models (queues, SLA facts): status and rebuilds');
  projections
    .command('status')
    .description("each projection's version, checkpoint and lag behind the log")
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => projectionsStatus(io, options));
  projections
    .command('rebuild')
    .description('empty projections (all by default) and replay the log into them')
    .argument('[names...]', 'case-queue, sla-compliance')
    .action((names: string[]) => projectionsRebuild(names, io));

  const audit = program
    .command('audit')
    .description('auditor tools: history, state at an instant, verification, export');
  audit
    .command('history')
    .description('every event of a case with its envelope and the state and severity after it')
    .argument('<case>', 'case id')
    .option('--json', 'print JSON')
    .action((caseId: string, options: { json?: boolean }) => auditHistory(caseId, options, io));
  audit
    .command('at')
    .description('the case as it was at an instant, with the deadlines running then')
    .argument('<case>', 'case id')
    .argument('<instant>', 'ISO 8601 with an offset')
    .action((caseId: string, instant: string) => auditAt(caseId, instant, io));
  audit
    .command('verify')
    .description(
      'recompute hash chains and replay streams through the case machine; exit 1 on any break',
    )
    .argument('[case]', 'case id')
    .option('--all', 'every stream of the store')
    .option(
      '--jobs <n>',
      'threads verifying side by side (SQLite store; default: the cores available)',
      (value: string) => {
        const jobs = Number(value);
        if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
          throw new InvalidArgumentError('a whole number from 1 to 64');
        return jobs;
      },
    )
    .action((caseId: string | undefined, options: { all?: boolean; jobs?: number }) =>
      auditVerify(caseId, options, io),
    );
  audit
    .command('export')
    .description(
      'events as stored, with their hashes (docs/auditing.md): a case, or a tenant over a date range',
    )
    .argument('[case]', 'case id')
    .option('--format <format>', 'json (JSON Lines) or csv', 'json')
    .option('--tenant <tenant>', 'every case of this tenant')
    .option('--from <date>', 'with --tenant: from this day or instant (inclusive)')
    .option('--to <date>', 'with --tenant: to this day or instant (exclusive)')
    .action((caseId: string | undefined, options: Parameters<typeof auditExport>[1]) =>
      auditExport(caseId, options, io),
    );

  const report = program.command('report').description('reports from the read models');
  report
    .command('sla')
    .description('SLA compliance per offering, line, severity and day')
    .requiredOption('--from <day>', 'first day, YYYY-MM-DD (in each offering’s time zone)')
    .requiredOption('--to <day>', 'last day, YYYY-MM-DD, inclusive')
    .option('--offering <offering>', 'only this offering')
    .option('--line <line>', 'only this line')
    .option('--csv', 'print CSV instead of JSON')
    .action((options: unknown) => reportSla(options, io));

  return program;
};

/** Runs the CLI; returns the exit code. Errors go to stderr, never as stack traces. */
export const main = async (argv: readonly string[], io: CliIo = processIo): Promise<number> => {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already written its message (or the help text) to stderr/stdout.
      return error.exitCode;
    }
    io.err(describeError(error));
    return 1;
  }
};
