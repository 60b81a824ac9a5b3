import type { JobState } from '../../domain/job/job-state.js';
import type { QuotaStatus } from './quota-store.js';

/** Active executions of one job type. */
export interface TypeQueue {
  readonly type: string;
  /** Queued executions (due or still in a retry's backoff). */
  readonly queued: number;
  readonly running: number;
  /** The earliest scheduled_at among queued executions that are due; undefined when none is. */
  readonly oldestDueAt: Date | undefined;
}

/** A job whose dead-man's switch has fired: no success by `expectedBy`. */
export interface OverdueJob {
  readonly jobId: string;
  readonly type: string;
  readonly expectedBy: Date;
  readonly lastSuccessAt: Date | undefined;
}

/** What the whole cluster looks like now, read from the database (so every replica reports the same). */
export interface ClusterGauges {
  readonly jobsByState: Readonly<Record<JobState, number>>;
  readonly queues: readonly TypeQueue[];
  /**
   * Overdue jobs by type, counted with the rule of successExpectation(): expect_success_within
   * set, state not cancelled, coalesce(last_success_at, created_at) + expect_success_within < now.
   * Every type that has such a job (not cancelled) is present, with 0 when none is overdue.
   */
  readonly overdueByType: ReadonlyMap<string, number>;
  /** The most recently overdue jobs, newest expectedBy first, at most the limit asked for. */
  readonly overdueJobs: readonly OverdueJob[];
  /** Every quota with its usage (absent: none). */
  readonly quotas?: readonly QuotaStatus[];
  /** Webhook deliveries not yet delivered or given up, counted up to WEBHOOK_BACKLOG_COUNTED (absent: not read). */
  readonly webhookBacklog?: number;
}

/** The backlog gauge counts at most this many pending deliveries, so that reading it stays cheap in an outage. */
export const WEBHOOK_BACKLOG_COUNTED = 100_000;

/** Cluster-wide figures for the metrics gauges. */
export interface ClusterGaugesStore {
  read(now: Date, overdueJobLimit: number): Promise<ClusterGauges>;
}

/** Where the refreshed figures go (the Prometheus gauges). Must not throw. */
export interface ClusterGaugesSink {
  publish(gauges: ClusterGauges, now: Date): void;
}
