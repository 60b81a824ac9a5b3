import type { ClusterFigures, HistoryRange, MetricsBucket, SchedulerMetricsStore } from '../../application/ports/scheduler-metrics-store.js';
import { bucketsFromCounts, type BucketCounts } from '../../application/queries/metrics-buckets.js';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../../domain/execution/execution-status.js';
import { JOB_STATES, type JobState } from '../../domain/job/job-state.js';
import { percentileOfSorted } from '../../domain/statistics/percentile.js';
import { successExpectation } from '../../application/queries/job-queries.js';
import type { MemoryState } from './memory-state.js';

/** The same aggregates as scheduler-metrics-sql.ts, over the in-memory state. */
export class MemorySchedulerMetricsStore implements SchedulerMetricsStore {
  constructor(private readonly state: MemoryState) {}

  private get counters() {
    return this.state.counters;
  }

  async figures(now: Date, windowMs: number): Promise<ClusterFigures> {
    const jobs = [...this.state.jobs.values()];
    const executions = [...this.state.executions.values()];
    const since = now.getTime() - windowMs;
    const recent = executions.filter((e) => e.status === 'running' || (e.finishedAt !== undefined && e.finishedAt.getTime() >= since));
    const durations = recent.flatMap((e) => (e.startedAt && e.finishedAt ? [e.finishedAt.getTime() - e.startedAt.getTime()] : [])).sort((a, b) => a - b);
    const lags = recent.flatMap((e) => (e.startedAt ? [Math.max(0, e.startedAt.getTime() - e.scheduledAt.getTime())] : [])).sort((a, b) => a - b);
    const jobsByState = Object.fromEntries(JOB_STATES.map((state) => [state, jobs.filter((j) => j.state === state).length])) as Record<JobState, number>;
    const executionsByStatus = Object.fromEntries(EXECUTION_STATUSES.map((status) => [status, executions.filter((e) => e.status === status).length])) as Record<ExecutionStatus, number>;
    return {
      jobsByState,
      executionsByStatus,
      meanDurationMs: durations.length === 0 ? undefined : durations.reduce((a, b) => a + b, 0) / durations.length,
      p95DurationMs: percentileOfSorted(durations, 95),
      lagP50Ms: percentileOfSorted(lags, 50),
      lagP95Ms: percentileOfSorted(lags, 95),
      executionsOverdue: executions.filter((e) => e.status === 'queued' && e.scheduledAt <= now).length,
      jobsOverdue: jobs.filter((j) => successExpectation(j, now)?.overdue).length,
      leasesRescued: this.counters.leasesRescued,
      lastCheckAt: this.counters.lastDispatch,
    };
  }

  async history(range: HistoryRange): Promise<MetricsBucket[]> {
    const from = range.from.getTime();
    const k = (t: Date) => Math.floor((t.getTime() - from) / range.stepMs);
    const counts: BucketCounts[] = [];
    const add = (kind: BucketCounts['kind'], index: number, status?: string) => counts.push({ kind, k: index, status, n: 1 });
    const lags = new Map<number, number[]>();
    for (const e of this.state.executions.values()) {
      if (e.finishedAt && e.finishedAt.getTime() < from) continue;
      if (e.finishedAt) add('finished', k(e.finishedAt), e.status);
      if (e.startedAt && e.startedAt.getTime() >= from) {
        const bucket = lags.get(k(e.startedAt)) ?? [];
        bucket.push(Math.max(0, e.startedAt.getTime() - e.scheduledAt.getTime()));
        lags.set(k(e.startedAt), bucket);
      }
      const entered = new Date(Math.max(e.queuedAt.getTime(), e.scheduledAt.getTime()));
      const exited = e.startedAt ?? e.finishedAt;
      if (entered <= range.now && (!exited || exited > entered)) add('entered', Math.max(k(entered), -1));
      if (exited && exited > entered) add('exited', Math.max(k(exited), -1));
    }
    for (const [index, values] of lags) {
      const sorted = values.sort((a, b) => a - b);
      counts.push({ kind: 'started', k: index, n: sorted.length, p50: percentileOfSorted(sorted, 50), p95: percentileOfSorted(sorted, 95) });
    }
    return bucketsFromCounts(range, counts);
  }

  async addRescued(count: number): Promise<void> {
    this.counters.leasesRescued += count;
  }

  async recordDispatch(now: Date): Promise<void> {
    const last = this.counters.lastDispatch;
    if (!last || last.getTime() < now.getTime() - 1000) this.counters.lastDispatch = now;
  }
}
