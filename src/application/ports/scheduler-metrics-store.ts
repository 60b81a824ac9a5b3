import type { ExecutionStatus } from '../../domain/execution/execution-status.js';
import type { JobState } from '../../domain/job/job-state.js';

/** Cluster-wide figures, computed from the database so every replica answers the same. */
export interface ClusterFigures {
  readonly jobsByState: Readonly<Record<JobState, number>>;
  readonly executionsByStatus: Readonly<Record<ExecutionStatus, number>>;
  /** Over executions finished within the window (durations) or finished within it or still running (lag). */
  readonly meanDurationMs: number | undefined;
  readonly p95DurationMs: number | undefined;
  readonly lagP50Ms: number | undefined;
  readonly lagP95Ms: number | undefined;
  /** Queued executions whose scheduled_at has passed. */
  readonly executionsOverdue: number;
  /** Jobs whose dead-man's switch fired. */
  readonly jobsOverdue: number;
  readonly leasesRescued: number;
  readonly lastCheckAt: Date | undefined;
}

/** Cluster-wide figures of one time bucket [start, start + step). */
export interface MetricsBucket {
  readonly start: Date;
  readonly succeeded: number;
  /** failed, timed_out and lost. */
  readonly failed: number;
  readonly cancelled: number;
  /** Due queued executions not yet started at the bucket's end (or at now, for the last one). */
  readonly queueDepth: number;
  readonly started: number;
  readonly lagP50Ms: number | undefined;
  readonly lagP95Ms: number | undefined;
}

/** The buckets of a history: `count` buckets of `stepMs` from `from`, the last one holding `now`. */
export interface HistoryRange {
  readonly from: Date;
  readonly stepMs: number;
  readonly count: number;
  readonly now: Date;
}

/** Aggregates and the few counters that must outlive any one replica. */
export interface SchedulerMetricsStore {
  figures(now: Date, windowMs: number): Promise<ClusterFigures>;
  /** Per-bucket figures from the stored executions (only rows finished since `from` or still active are read). */
  history(range: HistoryRange): Promise<MetricsBucket[]>;
  addRescued(count: number): Promise<void>;
  /** Records that a dispatcher pass ran at `now` (at most once a second per call site matters). */
  recordDispatch(now: Date): Promise<void>;
}
