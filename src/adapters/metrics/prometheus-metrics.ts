import { status } from '@grpc/grpc-js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClusterGauges, ClusterGaugesSink } from '../../application/ports/cluster-gauges-store.js';
import type { EngineObserver, WebhookAttemptOutcome } from '../../application/ports/engine-observer.js';
import { durationMs, lagMs } from '../../application/observability/execution-log-observer.js';
import type { Execution } from '../../domain/execution/execution.js';
import type { QuotaKey } from '../../domain/quota/quota.js';
import { JOB_STATES } from '../../domain/job/job-state.js';
import { BoundedLabel } from './bounded-label.js';

/** Distinct job types that get their own series; the rest are counted as type="other". */
export const MAX_TYPE_LABELS = 200;

const PREFIX = 'jobscheduler_';
/** Work takes from milliseconds to an hour. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** How late work starts: milliseconds when all is well, minutes when workers cannot keep up. */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** A dispatcher pass is one transaction. */
const PASS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** One webhook request: milliseconds to a healthy endpoint, up to WEBHOOK_TIMEOUT (10 s by default) to a hanging one. */
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The outcome label of the webhook metrics, in an operator's words. */
const WEBHOOK_OUTCOMES: Record<WebhookAttemptOutcome, string> = { delivered: 'delivered', retry: 'failed_attempt', failed: 'given_up' };
/** RPCs; AcquireExecutions long polls for up to 60 s. */
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the pool gauges read at scrape time (pg.Pool has these). */
export interface PoolUsage {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface HealthState {
  readonly isServing: boolean;
  readonly isDatabaseReachable: boolean;
}

let processRegistry: Registry | undefined;

/**
 * The standard process_* and nodejs_* metrics, once per process: they describe the process, not
 * one server, and collecting them installs event-loop and GC monitors that cannot be removed.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Every metric of one replica (docs/operations.md lists them). Counters and histograms come from
 * this replica's work (the engine observer and the gRPC wrapper); gauges named "cluster-wide"
 * are read from the database by the refresher and are the same on every replica.
 */
export class PrometheusMetrics implements ClusterGaugesSink {
  readonly registry = new Registry();
  private readonly types: BoundedLabel;

  private readonly queuedTotal = this.counter('executions_queued_total', 'Executions created (fired occurrences, retries, manual runs), by job type and trigger.', ['type', 'trigger']);
  private readonly startedTotal = this.counter('executions_started_total', 'Executions handed to a worker, by job type.', ['type']);
  private readonly finishedTotal = this.counter('executions_finished_total', 'Executions that reached a terminal status, by job type and status.', ['type', 'status']);
  private readonly retriesTotal = this.counter('execution_retries_total', 'Retry attempts queued by the retry policy after a failure, timeout or lost lease, by job type.', ['type']);
  private readonly rescuedTotal = this.counter('leases_rescued_total', 'Executions whose lease expired without a heartbeat, recorded as lost by the reaper, by job type.', ['type']);
  private readonly timeoutsTotal = this.counter('execution_timeouts_total', 'Executions ended by the reaper because they passed their attempt timeout, by job type.', ['type']);
  private readonly duration = this.histogram('execution_duration_seconds', 'Time from start to terminal status of executions that started, by job type.', ['type'], DURATION_BUCKETS);
  private readonly lag = this.histogram('schedule_lag_seconds', 'How late executions started: started_at minus scheduled_at, by job type.', ['type'], LAG_BUCKETS);
  private readonly passDuration = this.histogram('dispatch_pass_duration_seconds', 'Duration of one dispatcher pass (claim due jobs, fire, commit).', [], PASS_BUCKETS);
  private readonly claimedTotal = this.counter('dispatch_jobs_claimed_total', 'Due jobs claimed by this replica\'s dispatcher.', []);
  private readonly firedTotal = this.counter('dispatch_occurrences_fired_total', 'Occurrences fired by this replica\'s dispatcher (one execution each).', []);
  private readonly skippedTotal = this.counter('dispatch_occurrences_skipped_total', 'Due occurrences skipped by the overlap or catch-up policy.', []);
  private readonly rpcTotal = this.counter('grpc_requests_total', 'gRPC requests handled, by method (package.Service/Method) and status code.', ['method', 'code']);
  private readonly rpcDuration = this.histogram('grpc_request_duration_seconds', 'gRPC request handling time, by method.', ['method'], RPC_BUCKETS);
  private readonly jobs = this.gauge('jobs', 'Jobs by state, cluster-wide (refreshed from the database).', ['state']);
  private readonly overdue = this.gauge('jobs_overdue', "Jobs whose dead-man's switch fired (no success within expect_success_within), cluster-wide, by job type.", ['type']);
  private readonly queueDepth = this.gauge('queue_depth', 'Queued executions (due or in a retry backoff), cluster-wide, by job type.', ['type']);
  private readonly oldestDue = this.gauge('queue_oldest_age_seconds', 'Age of the oldest queued execution that is due (now minus scheduled_at; 0 when none), cluster-wide, by job type.', ['type']);
  private readonly running = this.gauge('executions_running', 'Running executions (held under a lease), cluster-wide, by job type.', ['type']);
  private readonly throttledTotal = this.counter(
    'quota_throttled_claims_total',
    'Claims of this replica (AcquireExecutions, Work streams) that ended with a quota full while the worker had slots left, by the quota\'s job type and label ("key=value", empty for the whole type).',
    ['job_type', 'label'],
  );
  private readonly quotaRunning = this.gauge('quota_running', 'Running executions a quota applies to, cluster-wide, by its job type and label.', ['job_type', 'label']);
  private readonly quotaMaxRunning = this.gauge('quota_max_running', 'The concurrency limit of a quota that has one, by its job type and label.', ['job_type', 'label']);
  private readonly quotaRecentStarts = this.gauge('quota_recent_starts', "Starts within a rate-limited quota's period up to now, cluster-wide, by its job type and label.", ['job_type', 'label']);
  private readonly quotaWaiting = this.gauge('quota_waiting', 'Due queued executions a quota applies to (at most 10,000 counted), cluster-wide, by its job type and label.', ['job_type', 'label']);
  private readonly webhookAttempts = this.counter(
    'webhook_delivery_attempts_total',
    'Webhook requests this replica made, by outcome: delivered, failed_attempt (retried after a backoff), given_up (the last attempt failed, or the destination was refused).',
    ['outcome'],
  );
  private readonly webhookDuration = this.histogram('webhook_delivery_duration_seconds', 'Time one webhook request took (connect, TLS, response), by outcome.', ['outcome'], WEBHOOK_BUCKETS);
  private readonly webhookPending = this.gauge('webhook_deliveries_pending', 'Webhook deliveries not yet delivered or given up (due, claimed or waiting out a backoff; at most 100,000 counted), cluster-wide.', []);
  /** Job type → when a worker of it was last seen by this replica (ms). */
  private readonly workersSeen = new Map<string, number>();
  private readonly refreshed = this.gauge('cluster_gauges_refresh_timestamp_seconds', 'When the cluster-wide gauges were last read from the database (Unix time).', []);

  constructor(options: { maxTypeLabels?: number } = {}) {
    this.types = new BoundedLabel(options.maxTypeLabels ?? MAX_TYPE_LABELS);
  }

  /** The text exposition of this replica's metrics and the process metrics. */
  async exposition(): Promise<string> {
    return `${await processMetrics().metrics()}\n${await this.registry.metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The engine's reports turned into counters and histograms. */
  readonly observer: EngineObserver = {
    queued: (executions) => {
      for (const execution of executions) {
        const type = this.types.of(execution.jobType);
        this.queuedTotal.inc({ type, trigger: execution.trigger });
        if (execution.trigger === 'retry') this.retriesTotal.inc({ type });
      }
    },
    started: (executions) => {
      for (const execution of executions) {
        const type = this.types.of(execution.jobType);
        this.workersSeen.set(type, Date.now());
        this.startedTotal.inc({ type });
        observeMs(this.lag, type, lagMs(execution));
      }
    },
    finished: (executions) => {
      for (const execution of executions) this.finishedOne(execution);
    },
    dispatchPass: (durationMsOfPass, jobs, fired, skipped) => {
      this.passDuration.observe(durationMsOfPass / 1000);
      this.claimedTotal.inc(jobs);
      this.firedTotal.inc(fired);
      this.skippedTotal.inc(skipped);
    },
    throttled: (keys) => {
      for (const key of keys) this.throttledTotal.inc(quotaLabels(key));
    },
    webhookAttempt: (outcome, durationMsOfRequest) => {
      const labels = { outcome: WEBHOOK_OUTCOMES[outcome] };
      this.webhookAttempts.inc(labels);
      this.webhookDuration.observe(labels, durationMsOfRequest / 1000);
    },
  };

  /** For the gRPC wrapper (BindingOptions.onCall): one finished call. */
  readonly onCall = (method: string, code: status, durationMsOfCall: number): void => {
    const name = method.startsWith('/') ? method.slice(1) : method;
    this.rpcTotal.inc({ method: name, code: status[code] ?? String(code) });
    this.rpcDuration.observe({ method: name }, durationMsOfCall / 1000);
  };

  /** Cluster-wide gauges from the refresher. Every type seen so far keeps a series (0 when idle). */
  publish(gauges: ClusterGauges, now: Date): void {
    for (const state of JOB_STATES) this.jobs.set({ state }, gauges.jobsByState[state]);
    const totals = new Map<string, { queued: number; running: number; overdue: number; oldestDueMs: number }>();
    const entry = (rawType: string) => {
      const type = this.types.of(rawType);
      let found = totals.get(type);
      if (!found) totals.set(type, (found = { queued: 0, running: 0, overdue: 0, oldestDueMs: 0 }));
      return found;
    };
    for (const queue of gauges.queues) {
      const totalsOfType = entry(queue.type);
      totalsOfType.queued += queue.queued;
      totalsOfType.running += queue.running;
      if (queue.oldestDueAt) totalsOfType.oldestDueMs = Math.max(totalsOfType.oldestDueMs, now.getTime() - queue.oldestDueAt.getTime());
    }
    for (const [type, count] of gauges.overdueByType) entry(type).overdue += count;
    for (const type of this.types.values()) entry(type);
    for (const gauge of [this.queueDepth, this.running, this.overdue, this.oldestDue]) gauge.reset();
    for (const [type, totalsOfType] of totals) {
      this.queueDepth.set({ type }, totalsOfType.queued);
      this.running.set({ type }, totalsOfType.running);
      this.overdue.set({ type }, totalsOfType.overdue);
      this.oldestDue.set({ type }, Math.max(0, totalsOfType.oldestDueMs) / 1000);
    }
    for (const gauge of [this.quotaRunning, this.quotaMaxRunning, this.quotaRecentStarts, this.quotaWaiting]) gauge.reset();
    for (const { quota, usage } of gauges.quotas ?? []) {
      const labels = quotaLabels(quota.key);
      this.quotaRunning.set(labels, usage.running);
      this.quotaWaiting.set(labels, usage.waiting);
      if (quota.maxRunning !== undefined) this.quotaMaxRunning.set(labels, quota.maxRunning);
      if (quota.rateLimit) this.quotaRecentStarts.set(labels, usage.recentStarts);
    }
    if (gauges.webhookBacklog !== undefined) this.webhookPending.set(gauges.webhookBacklog);
    this.refreshed.set(now.getTime() / 1000);
  }

  /** Database pool usage of this replica, read at scrape time. */
  watchPool(pool: PoolUsage, max: number): void {
    this.gauge('db_pool_connections', 'Open connections in this replica\'s database pool.', [], () => pool.totalCount);
    this.gauge('db_pool_idle_connections', 'Idle connections in this replica\'s database pool.', [], () => pool.idleCount);
    this.gauge('db_pool_waiting_requests', 'Requests waiting for a connection from this replica\'s database pool.', [], () => pool.waitingCount);
    this.gauge('db_pool_max_connections', 'Size limit of this replica\'s database pool (DATABASE_POOL_SIZE).', [], () => max);
  }

  /**
   * When a worker of each type was last seen by this replica: now for the types of its open Work
   * sessions (read at scrape time), else when an execution of the type was last handed to a
   * worker (which also covers workers that poll with AcquireExecutions). Across replicas, take
   * the max; a type never seen since the replica started has no series.
   */
  watchWorkers(workers: { workerTypes(): Iterable<string> }): void {
    const seen = this.workersSeen;
    const types = this.types;
    this.gauge('worker_last_seen_timestamp_seconds', 'When a worker of the job type was last seen by this replica (an open Work stream, or an execution handed out), Unix time.', ['type'], undefined, function (this: Gauge<'type'>) {
      const now = Date.now();
      for (const type of workers.workerTypes()) seen.set(types.of(type), now);
      for (const [type, at] of seen) this.set({ type }, at / 1000);
    });
  }

  /** Health of this replica, read at scrape time. */
  watchHealth(health: HealthState): void {
    this.gauge('serving', '1 when this replica reports SERVING (grpc.health.v1, /readyz), 0 when not (database unreachable, starting or draining).', [], () => (health.isServing ? 1 : 0));
    this.gauge('database_up', '1 when the last database probe (SELECT 1) answered in time, 0 when it did not.', [], () => (health.isDatabaseReachable ? 1 : 0));
  }

  private finishedOne(execution: Execution): void {
    const type = this.types.of(execution.jobType);
    this.finishedTotal.inc({ type, status: execution.status });
    if (execution.status === 'lost') this.rescuedTotal.inc({ type });
    if (execution.status === 'timed_out') this.timeoutsTotal.inc({ type });
    observeMs(this.duration, type, durationMs(execution));
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name: PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name: PREFIX + name, help, labelNames, buckets, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read?: () => number, collect?: (this: Gauge<L>) => void): Gauge<L> {
    return new Gauge({
      name: PREFIX + name,
      help,
      labelNames,
      registers: [this.registry],
      ...(read ? { collect(this: Gauge<L>) { this.set(read()); } } : collect ? { collect } : {}),
    });
  }
}

/** Quotas are few (set by admins), so each gets its series without a bound. */
function quotaLabels(key: QuotaKey): { job_type: string; label: string } {
  return { job_type: key.jobType, label: key.labelKey === '' ? '' : `${key.labelKey}=${key.labelValue}` };
}

function observeMs(histogram: Histogram<'type'>, type: string, ms: number | undefined): void {
  if (ms !== undefined) histogram.observe({ type }, ms / 1000);
}
