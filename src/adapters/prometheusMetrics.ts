import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CommandObservation,
  CommandObserver,
  CommandOutcome,
} from '../application/commandObserver.js';
import type { ProjectionLag } from '../application/projectionLag.js';
import type { TimerFiringObserver } from '../application/timerDispatcher.js';
import type { WebhookAttempt } from '../application/webhookOutbox.js';
import type { CaseTimer } from '../domain/case/caseTimers.js';
import type { Clock } from '../domain/clock.js';
import { DAY_MS } from '../domain/instant.js';
import type { Policy } from '../domain/policy/policy.js';
import { holidayDataEnds } from '../domain/policy/policyHorizons.js';
import { slaTargets, type SlaTarget } from '../domain/policy/slaTarget.js';

export interface PrometheusMetricsOptions {
  /**
   * Node's process metrics (CPU, memory, event loop, GC, handles), prefixed `docket_`.
   * @defaultValue true
   */
  readonly processMetrics?: boolean;
  /** Told when a value collected at scrape time cannot be read (the gauge is left empty). */
  readonly onCollectError?: (error: unknown, metric: string) => void;
}

/** Seconds: a command on the embedded store takes about a millisecond, a contended one more. */
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a timer fires within a second when all is well, hours late after an outage. */
const latenessBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

type CommandLabels = { readonly command: string; readonly outcome: CommandOutcome };

/** The SLA target each breach event records the breach of. */
const breachedTarget: ReadonlyMap<string, SlaTarget> = new Map([
  ['ResponseDeadlineBreached', 'response'],
  ['ResolutionDeadlineBreached', 'resolution'],
  ['NextReplyDeadlineBreached', 'next-reply'],
  ['PeriodicUpdateDeadlineBreached', 'periodic-update'],
]);

/** The target a `SlaTargetAtRisk` names, if it is one (the data is the event's, not re-parsed). */
const atRiskTarget = (data: unknown): SlaTarget | undefined => {
  const target = (data as { target?: unknown } | null)?.target;
  return slaTargets.find((t) => t === target);
};

/**
 * Docket's metrics in Prometheus's text format, on a registry of their own (one per app, so
 * several apps in a process never share counts). The labels are closed sets read from code or
 * from the policy (commands, outcomes, offerings, lines, severities, calendars, projections,
 * job states, timer kinds): never a tenant, a case or a person. docs/operations.md lists them.
 *
 * It observes the command handler (`CommandObserver`) and the timer dispatcher
 * (`TimerFiringObserver`); what is read at scrape time comes from the functions given to the
 * `collect…` methods, by the process that owns each source.
 */
export class PrometheusMetrics implements CommandObserver, TimerFiringObserver {
  readonly registry = new Registry();
  readonly #onCollectError: (error: unknown, metric: string) => void;
  readonly #commands: Counter<'command' | 'outcome'>;
  readonly #durations: Histogram<'command' | 'outcome'>;
  readonly #breaches: Counter<'target' | 'offering' | 'line' | 'severity'>;
  readonly #atRisk: Counter<'target' | 'offering' | 'line' | 'severity'>;
  readonly #lateness: Histogram<'kind'>;
  readonly #mail: Counter<'outcome'>;
  /** One label object per command and outcome, made once. */
  readonly #labels = new Map<string, Map<CommandOutcome, CommandLabels>>();

  constructor(options: PrometheusMetricsOptions = {}) {
    this.#onCollectError = options.onCollectError ?? (() => undefined);
    const registers = [this.registry];
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'docket_' });
    this.#commands = new Counter({
      name: 'docket_commands_total',
      help: 'Case commands handled, by command and outcome (ok, refused, conflict, error)',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.#durations = new Histogram({
      name: 'docket_command_duration_seconds',
      help: 'Time from a case command handed to the command handler to its answer',
      labelNames: ['command', 'outcome'],
      buckets: durationBuckets,
      registers,
    });
    this.#breaches = new Counter({
      name: 'docket_sla_breaches_total',
      help: 'SLA targets breached (response, resolution, next-reply, periodic-update), each breach event recorded by this process',
      labelNames: ['target', 'offering', 'line', 'severity'],
      registers,
    });
    this.#atRisk = new Counter({
      name: 'docket_sla_at_risk_total',
      help: 'SLA targets found at risk (SlaTargetAtRisk recorded by this process)',
      labelNames: ['target', 'offering', 'line', 'severity'],
      registers,
    });
    this.#lateness = new Histogram({
      name: 'docket_timer_lateness_seconds',
      help: 'How long after its due instant a timer fired (its check handled by this process)',
      labelNames: ['kind'],
      buckets: latenessBuckets,
      registers,
    });
    this.#mail = new Counter({
      name: 'docket_mail_attempts_total',
      help: 'E-mail notifications tried by this process, by outcome: sent, failed (retried later), dead (the last try failed)',
      labelNames: ['outcome'],
      registers,
    });
  }

  /** `docket_mail_attempts_total{outcome}`: sent, failed (to be retried), dead (given up). */
  mailAttempted(attempt: WebhookAttempt): void {
    const { kind } = attempt.outcome;
    this.#mail.inc({
      outcome: kind === 'delivered' ? 'sent' : kind === 'retry' ? 'failed' : 'dead',
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text a scrape of `/metrics` answers. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  observe({ command, outcome, seconds, events, snapshot }: CommandObservation): void {
    const labels = this.#labelsOf(command, outcome);
    this.#commands.inc(labels);
    this.#durations.observe(labels, seconds);
    if (snapshot === undefined) return;
    for (const event of events) {
      const breached = breachedTarget.get(event.type);
      const atRisk = event.type === 'SlaTargetAtRisk' ? atRiskTarget(event.data) : undefined;
      if (breached === undefined && atRisk === undefined) continue;
      const { tenant, line, severity } = snapshot.context;
      const labels = { offering: tenant.offering, line, severity };
      if (breached !== undefined) this.#breaches.inc({ target: breached, ...labels });
      if (atRisk !== undefined) this.#atRisk.inc({ target: atRisk, ...labels });
    }
  }

  onFired(timer: CaseTimer, latenessMs: number): void {
    this.#lateness.observe({ kind: timer.kind }, Math.max(0, latenessMs) / 1_000);
  }

  /** `docket_projection_lag_events` and `…_seconds`, from `read` at each scrape. */
  collectProjectionLag(read: () => Promise<readonly ProjectionLag[]>): void {
    const name = 'docket_projection_lag';
    const once = sharedPerScrape(read);
    const gauge = (unit: 'events' | 'seconds', help: string) =>
      new Gauge({
        name: `${name}_${unit}`,
        help,
        labelNames: ['projection'],
        registers: [this.registry],
        collect: this.#collector(`${name}_${unit}`, async (g) => {
          for (const lag of await once()) g.set({ projection: lag.projection }, lag[unit]);
        }),
      });
    gauge('events', 'Events of the log a projection has not applied yet');
    gauge(
      'seconds',
      'Age of the oldest event of the log a projection has not applied (0: caught up)',
    );
  }

  /** `docket_timer_jobs{state}`: the timer queue's jobs by state (BullMQ), from `read` at each scrape. */
  collectTimerJobs(read: () => Promise<Readonly<Record<string, number>>>): void {
    new Gauge({
      name: 'docket_timer_jobs',
      help: 'Timer jobs in the queue, by state (delayed: waiting for their due instant)',
      labelNames: ['state'],
      registers: [this.registry],
      collect: this.#collector('docket_timer_jobs', async (g) => {
        for (const [state, count] of Object.entries(await read())) g.set({ state }, count);
      }),
    });
  }

  /**
   * `docket_calendar_horizon_days{calendar}`: days until the holiday data of each calendar of
   * the policy in force runs out (negative: it has), for calendars that state it.
   */
  collectCalendarHorizon(policy: () => Policy, clock: Clock): void {
    new Gauge({
      name: 'docket_calendar_horizon_days',
      help: 'Days until the holiday data of a calendar of the policy in force runs out (negative: it has)',
      labelNames: ['calendar'],
      registers: [this.registry],
      collect: this.#collector('docket_calendar_horizon_days', (g) => {
        const now = clock.now();
        for (const { calendar, endsAt } of holidayDataEnds(policy()))
          g.set({ calendar }, (endsAt - now) / DAY_MS);
        return Promise.resolve();
      }),
    });
  }

  /** A gauge's collect: starts from no samples, so a source that fails or shrinks leaves none stale. */
  #collector(
    metric: string,
    fill: (gauge: Gauge<string>) => Promise<void>,
  ): (this: Gauge<string>) => Promise<void> {
    const onError = this.#onCollectError;
    return async function (this: Gauge<string>) {
      this.reset();
      try {
        await fill(this);
      } catch (error) {
        this.reset();
        onError(error, metric);
      }
    };
  }

  #labelsOf(command: string, outcome: CommandOutcome): CommandLabels {
    let byOutcome = this.#labels.get(command);
    if (byOutcome === undefined)
      this.#labels.set(command, (byOutcome = new Map<CommandOutcome, CommandLabels>()));
    let labels = byOutcome.get(outcome);
    if (labels === undefined) byOutcome.set(outcome, (labels = { command, outcome }));
    return labels;
  }
}

/** `read`, called once for the gauges collected in one scrape (they ask at the same moment). */
const sharedPerScrape = <T>(read: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => (pending = undefined));
    return pending;
  };
};
