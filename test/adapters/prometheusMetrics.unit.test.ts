import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/adapters/prometheusMetrics.js';
import type { CommandObservation } from '../../src/application/commandObserver.js';
import type { WebhookAttempt } from '../../src/application/webhookOutbox.js';
import type { CaseSnapshot } from '../../src/domain/case/rebuildCase.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import { holidayDataEnds } from '../../src/domain/policy/policyHorizons.js';

const snapshot = {
  state: 'opened',
  revision: 1,
  context: {
    caseId: 'case-secret-1',
    tenant: { id: 'contoso', offering: '21vianet', advancedAgreement: true },
    line: 'technical',
    severity: 'B',
  },
} as unknown as CaseSnapshot;

const event = (type: string, data: object = {}) => ({
  type,
  schemaVersion: 1,
  data,
  metadata: {
    commandId: 'cmd',
    causationId: 'cmd',
    correlationId: 'corr',
    actor: { role: 'timer', id: 'scheduler' },
    occurredAt: '2026-11-24T02:00:00.000Z',
    caseId: 'case-secret-1',
  },
});

const observation = (o: Partial<CommandObservation>): CommandObservation => ({
  command: 'open',
  outcome: 'ok',
  seconds: 0.002,
  events: [],
  snapshot,
  ...o,
});

/** The sample lines of `name` (no HELP or TYPE). */
const samples = (text: string, name: string) =>
  text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('Prometheus metrics', () => {
  it('counts commands and their duration by command and outcome', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    metrics.observe(observation({ events: [event('CaseOpened')] }));
    metrics.observe(observation({ command: 'respond', outcome: 'refused', snapshot: undefined }));
    metrics.observe(observation({ command: 'respond', outcome: 'refused', snapshot: undefined }));
    const text = await metrics.metrics();
    expect(samples(text, 'docket_commands_total')).toEqual([
      'docket_commands_total{command="open",outcome="ok"} 1',
      'docket_commands_total{command="respond",outcome="refused"} 2',
    ]);
    expect(samples(text, 'docket_command_duration_seconds_count')).toEqual([
      'docket_command_duration_seconds_count{command="open",outcome="ok"} 1',
      'docket_command_duration_seconds_count{command="respond",outcome="refused"} 2',
    ]);
    expect(text).toContain(
      'docket_command_duration_seconds_bucket{le="0.0025",command="open",outcome="ok"} 1',
    );
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts breaches by offering, line and severity, never naming the case or the tenant', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    metrics.observe(
      observation({
        command: 'checkResponseDeadline',
        events: [event('ResponseDeadlineBreached')],
      }),
    );
    metrics.observe(
      observation({
        command: 'changeSeverity',
        events: [event('SeverityChanged'), event('ResponseDeadlineBreached')],
      }),
    );
    metrics.observe(observation({ command: 'respond', events: [event('AgentResponded')] }));
    const text = await metrics.metrics();
    expect(samples(text, 'docket_sla_breaches_total')).toEqual([
      'docket_sla_breaches_total{target="response",offering="21vianet",line="technical",severity="B"} 2',
    ]);
    expect(text).not.toMatch(/case-secret-1|contoso/);
  });

  it('counts the further targets breached and the targets found at risk, by target', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    metrics.observe(
      observation({
        command: 'checkSlaTargets',
        events: [
          event('SlaTargetAtRisk', { target: 'response', threshold: 0.8, dueAt: 'x' }),
          event('ResolutionDeadlineBreached', { dueAt: 'x' }),
          event('NextReplyDeadlineBreached', { dueAt: 'x' }),
          event('SlaTargetAtRisk', { target: 'periodic-update', threshold: 0.8, dueAt: 'x' }),
        ],
      }),
    );
    metrics.observe(
      observation({
        command: 'checkSlaTargets',
        events: [event('PeriodicUpdateDeadlineBreached', { dueAt: 'x' })],
      }),
    );
    const text = await metrics.metrics();
    const labels = 'offering="21vianet",line="technical",severity="B"';
    expect(samples(text, 'docket_sla_breaches_total')).toEqual([
      `docket_sla_breaches_total{target="resolution",${labels}} 1`,
      `docket_sla_breaches_total{target="next-reply",${labels}} 1`,
      `docket_sla_breaches_total{target="periodic-update",${labels}} 1`,
    ]);
    expect(samples(text, 'docket_sla_at_risk_total')).toEqual([
      `docket_sla_at_risk_total{target="response",${labels}} 1`,
      `docket_sla_at_risk_total{target="periodic-update",${labels}} 1`,
    ]);
  });

  it('counts e-mail attempts by outcome: sent, failed, dead', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const attempt = (outcome: WebhookAttempt['outcome']): WebhookAttempt => ({
      at: 0,
      status: outcome.kind === 'delivered' ? 250 : 421,
      error: null,
      outcome,
    });
    metrics.mailAttempted(attempt({ kind: 'retry', retryAt: 5_000 }));
    metrics.mailAttempted(attempt({ kind: 'delivered' }));
    metrics.mailAttempted(attempt({ kind: 'delivered' }));
    metrics.mailAttempted(attempt({ kind: 'dead' }));
    expect(samples(await metrics.metrics(), 'docket_mail_attempts_total').sort()).toEqual([
      'docket_mail_attempts_total{outcome="dead"} 1',
      'docket_mail_attempts_total{outcome="failed"} 1',
      'docket_mail_attempts_total{outcome="sent"} 2',
    ]);
  });

  it('observes timer lateness in seconds by kind', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const timer = { caseId: 'c1', kind: 'response-deadline', dueAt: 0, revision: 0 } as const;
    metrics.onFired(timer, 1_500);
    metrics.onFired(timer, 40);
    const text = await metrics.metrics();
    expect(samples(text, 'docket_timer_lateness_seconds_count')).toEqual([
      'docket_timer_lateness_seconds_count{kind="response-deadline"} 2',
    ]);
    expect(samples(text, 'docket_timer_lateness_seconds_sum')).toEqual([
      'docket_timer_lateness_seconds_sum{kind="response-deadline"} 1.54',
    ]);
    expect(text).toContain(
      'docket_timer_lateness_seconds_bucket{le="0.05",kind="response-deadline"} 1',
    );
  });

  it('collects projection lag, timer jobs and calendar horizons at scrape time', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    let reads = 0;
    metrics.collectProjectionLag(() => {
      reads++;
      return Promise.resolve([
        { projection: 'agent-queue', events: 12, seconds: 1.5, rebuilding: false },
      ]);
    });
    metrics.collectTimerJobs(() => Promise.resolve({ delayed: 30, active: 1, failed: 0 }));
    const clock = new VirtualClock(Date.parse('2026-11-23T02:00:00Z'));
    metrics.collectCalendarHorizon(() => defaultPolicy, clock);

    const text = await metrics.metrics();
    expect(reads).toBe(1); // one read for both lag gauges
    expect(samples(text, 'docket_projection_lag_events')).toEqual([
      'docket_projection_lag_events{projection="agent-queue"} 12',
    ]);
    expect(samples(text, 'docket_projection_lag_seconds')).toEqual([
      'docket_projection_lag_seconds{projection="agent-queue"} 1.5',
    ]);
    expect(samples(text, 'docket_timer_jobs')).toEqual([
      'docket_timer_jobs{state="delayed"} 30',
      'docket_timer_jobs{state="active"} 1',
      'docket_timer_jobs{state="failed"} 0',
    ]);
    const horizons = holidayDataEnds(defaultPolicy);
    expect(horizons.length).toBeGreaterThan(0);
    const days = samples(text, 'docket_calendar_horizon_days');
    expect(days).toEqual(
      horizons.map(
        (h) =>
          `docket_calendar_horizon_days{calendar="${h.calendar}"} ${(h.endsAt - clock.now()) / 86_400_000}`,
      ),
    );
  });

  it('leaves a gauge empty, and says so, when its source fails', async () => {
    const failures: string[] = [];
    const metrics = new PrometheusMetrics({
      processMetrics: false,
      onCollectError: (error, metric) => failures.push(`${metric}: ${String(error)}`),
    });
    let healthy = true;
    metrics.collectTimerJobs(() =>
      healthy ? Promise.resolve({ delayed: 3 }) : Promise.reject(new Error('redis down')),
    );
    expect(samples(await metrics.metrics(), 'docket_timer_jobs')).toHaveLength(1);
    healthy = false;
    expect(samples(await metrics.metrics(), 'docket_timer_jobs')).toEqual([]);
    expect(failures).toEqual(['docket_timer_jobs: Error: redis down']);
  });

  it('has process metrics prefixed docket_, on a registry of its own per instance', async () => {
    const a = new PrometheusMetrics();
    const b = new PrometheusMetrics();
    a.observe(observation({}));
    const text = await a.metrics();
    expect(text).toContain('docket_process_cpu_user_seconds_total');
    expect(text).toContain('docket_nodejs_eventloop_lag_seconds');
    expect(samples(await b.metrics(), 'docket_commands_total')).toEqual([]);
  });
});
