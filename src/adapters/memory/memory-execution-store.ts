import type { AcquireRequest, ExecutionChange, ExecutionCursor, ExecutionFilter, ExecutionPage, ExecutionStore, RetentionPolicy } from '../../application/ports/execution-store.js';
import { extendLease, startExecution } from '../../domain/execution/execution-operations.js';
import { compareIds, compareQueueOrder, type Execution } from '../../domain/execution/execution.js';
import { computeStatistics, type ExecutionStatistics } from '../../domain/statistics/execution-statistics.js';
import type { MemoryState } from './memory-state.js';

/** ExecutionStore in memory, following the same rules as the SQL (see execution-sql.ts). */
export class MemoryExecutionStore implements ExecutionStore {
  constructor(private readonly state: MemoryState) {}

  async get(id: string): Promise<Execution | undefined> {
    return this.state.executions.get(id);
  }

  async getMany(ids: readonly string[]): Promise<Execution[]> {
    return this.lock(ids);
  }

  async nextAttempts(executions: readonly Execution[]): Promise<Execution[]> {
    const wanted = new Set(executions.map((e) => `${e.jobId}|${e.occurrenceAt.getTime()}|${e.attempt + 1}`));
    return [...this.state.executions.values()].filter((e) => wanted.has(`${e.jobId}|${e.occurrenceAt.getTime()}|${e.attempt}`)).sort((a, b) => compareIds(a.id, b.id));
  }

  async insertReportingQuotaTypes(executions: readonly Execution[]): Promise<string[]> {
    await this.insert(executions);
    const limited = new Set([...this.state.quotas.values()].map((quota) => quota.key.jobType));
    return [...new Set(executions.filter((e) => e.status === 'running' && limited.has(e.jobType)).map((e) => e.jobType))];
  }

  async insert(executions: readonly Execution[]): Promise<void> {
    for (const execution of executions) {
      const clash = [...this.state.executions.values()].find(
        (other) =>
          other.jobId === execution.jobId &&
          (other.number === execution.number || (other.occurrenceAt.getTime() === execution.occurrenceAt.getTime() && other.attempt === execution.attempt)),
      );
      if (clash || this.state.executions.has(execution.id)) throw new Error(`duplicate execution ${execution.jobId} #${execution.number}`);
      if (!this.state.jobs.has(execution.jobId)) throw new Error(`no job ${execution.jobId}`);
      this.state.executions.set(execution.id, execution);
    }
  }

  async acquire(request: AcquireRequest, newToken: () => string): Promise<Execution[]> {
    const due = [...this.state.executions.values()]
      .filter((e) => e.status === 'queued' && request.jobTypes.includes(e.jobType) && e.scheduledAt <= request.now)
      .sort(compareQueueOrder)
      .slice(0, request.capacity);
    return due.map((execution) => {
      const started = startExecution(execution, request.workerId, newToken(), request.leaseDurationMs, request.now);
      this.state.executions.set(started.id, started);
      return started;
    });
  }

  async lockLeased(leases: readonly { id: string; leaseToken: string }[]): Promise<Execution[]> {
    return leases
      .flatMap((lease) => {
        const execution = this.state.executions.get(lease.id);
        return execution?.status === 'running' && execution.leaseToken === lease.leaseToken ? [execution] : [];
      })
      .sort((a, b) => compareIds(a.id, b.id));
  }

  async lock(ids: readonly string[]): Promise<Execution[]> {
    return [...new Set(ids)].sort(compareIds).flatMap((id) => this.state.executions.get(id) ?? []);
  }

  async lockActive(jobId: string): Promise<Execution[]> {
    return [...this.state.executions.values()].filter((e) => e.jobId === jobId && (e.status === 'queued' || e.status === 'running')).sort((a, b) => compareIds(a.id, b.id));
  }

  async claimWindowClosed(now: Date, limit: number): Promise<Execution[]> {
    return [...this.state.executions.values()]
      .filter((e) => e.status === 'queued' && e.windowClosesAt !== undefined && e.windowClosesAt <= now)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
  }

  async claimExpired(now: Date, limit: number): Promise<Execution[]> {
    return [...this.state.executions.values()]
      .filter((e) => e.status === 'running' && ((e.leaseExpiresAt !== undefined && e.leaseExpiresAt < now) || (e.deadlineAt !== undefined && e.deadlineAt < now)))
      .sort((a, b) => compareIds(a.id, b.id))
      .slice(0, limit);
  }

  async heartbeat(leases: readonly { id: string; leaseToken: string; progress: Execution['progress'] }[], now: Date): Promise<Execution[]> {
    return leases.flatMap((lease) => {
      const execution = this.state.executions.get(lease.id);
      if (execution?.status !== 'running' || execution.leaseToken !== lease.leaseToken) return [];
      const extended = extendLease(execution, now, lease.progress);
      this.state.executions.set(extended.id, extended);
      return [extended];
    });
  }

  async update(changes: readonly ExecutionChange[]): Promise<Set<string>> {
    const written = new Set<string>();
    for (const change of changes) {
      const stored = this.state.executions.get(change.execution.id);
      if (!stored || stored.status !== change.expectedStatus) continue;
      if (change.expectedLeaseToken !== undefined && stored.leaseToken !== change.expectedLeaseToken) continue;
      // What was fixed when the execution was queued stays as stored, as in the PostgreSQL store.
      const { id, jobId, jobType, number, occurrenceAt, attempt, trigger, priority, attemptTimeoutMs, queuedAt, scheduledAt } = stored;
      this.state.executions.set(id, { ...change.execution, id, jobId, jobType, number, occurrenceAt, attempt, trigger, priority, attemptTimeoutMs, queuedAt, scheduledAt });
      written.add(id);
    }
    return written;
  }

  async nextScheduledAt(jobTypes: readonly string[], now: Date): Promise<Date | undefined> {
    const times = [...this.state.executions.values()].flatMap((e) => (e.status === 'queued' && jobTypes.includes(e.jobType) && e.scheduledAt > now ? [e.scheduledAt.getTime()] : []));
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  }

  async list(filter: ExecutionFilter, after: ExecutionCursor | undefined, limit: number): Promise<ExecutionPage> {
    const order = filter.jobId
      ? (a: Execution, b: Execution) => b.number - a.number
      : (a: Execution, b: Execution) => b.queuedAt.getTime() - a.queuedAt.getTime() || compareIds(b.id, a.id);
    const position = after && ({ queuedAt: after.queuedAt, number: after.number, id: after.id } as Execution);
    const rows = [...this.state.executions.values()]
      .filter(
        (e) =>
          (!filter.jobId || e.jobId === filter.jobId) &&
          (!filter.statuses?.length || filter.statuses.includes(e.status)) &&
          (!filter.jobType || e.jobType === filter.jobType) &&
          // Rows that sort after the cursor's row (order < 0: position comes first).
          (!position || order(position, e) < 0),
      )
      .sort(order);
    const executions = rows.slice(0, limit);
    const last = executions.at(-1);
    return { executions, next: rows.length > limit && last ? { queuedAt: last.queuedAt, number: last.number, id: last.id } : undefined };
  }

  async statistics(jobId: string): Promise<ExecutionStatistics> {
    return computeStatistics([...this.state.executions.values()].filter((e) => e.jobId === jobId));
  }

  async prune(policy: RetentionPolicy, now: Date, batch: number): Promise<number> {
    const cutoff = now.getTime() - policy.keepForMs;
    let pruned = 0;
    for (const execution of [...this.state.executions.values()]) {
      if (pruned >= batch) break;
      const job = this.state.jobs.get(execution.jobId);
      if (job && execution.finishedAt && execution.finishedAt.getTime() < cutoff && execution.number <= job.executionCount - policy.keepPerJob) {
        this.state.executions.delete(execution.id);
        pruned += 1;
      }
    }
    return pruned;
  }
}
