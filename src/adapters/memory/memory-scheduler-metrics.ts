import type { ClusterFigures, SchedulerMetricsStore } from '../../application/ports/scheduler-metrics-store.js';
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

  async addRescued(count: number): Promise<void> {
    this.counters.leasesRescued += count;
  }

  async recordDispatch(now: Date): Promise<void> {
    const last = this.counters.lastDispatch;
    if (!last || last.getTime() < now.getTime() - 1000) this.counters.lastDispatch = now;
  }
}
