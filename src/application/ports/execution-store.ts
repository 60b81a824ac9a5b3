import type { Execution } from '../../domain/execution/execution.js';
import type { ExecutionStatus } from '../../domain/execution/execution-status.js';
import type { QuotaKey } from '../../domain/quota/quota.js';
import type { ExecutionStatistics } from '../../domain/statistics/execution-statistics.js';

export interface ExecutionFilter {
  readonly jobId?: string;
  readonly statuses?: readonly ExecutionStatus[];
  readonly jobType?: string;
}

/** Keyset position, newest first: by number within one job, by queue time across jobs. */
export interface ExecutionCursor {
  readonly queuedAt: Date;
  readonly number: number;
  readonly id: string;
}

export interface ExecutionPage {
  readonly executions: readonly Execution[];
  readonly next: ExecutionCursor | undefined;
}

export interface AcquireRequest {
  readonly workerId: string;
  readonly jobTypes: readonly string[];
  readonly capacity: number;
  readonly leaseDurationMs: number;
  readonly now: Date;
  /**
   * The job types this replica believes have quotas: claimed within them (one more lock and a
   * few statements). Every other type is claimed as before, but never if it turns out to have a
   * quota after all (a quota set a moment ago elsewhere): a stale belief delays, never exceeds.
   */
  readonly quotas?: QuotaClaim | undefined;
}

export interface QuotaClaim {
  readonly limitedTypes: ReadonlySet<string>;
  /** Called with the quotas left full by a claim that could have taken more. */
  throttled(keys: readonly QuotaKey[]): void;
}

export interface ExecutionChange {
  readonly execution: Execution;
  /** The status read; with a running execution also its lease token (fencing). */
  readonly expectedStatus: ExecutionStatus;
  readonly expectedLeaseToken?: string | undefined;
}

export interface RetentionPolicy {
  /** Keep at least this many newest executions per job… */
  readonly keepPerJob: number;
  /** …and everything younger than this. */
  readonly keepForMs: number;
}

/** Executions, inside a transaction. Writes of existing rows are compare-and-set on status (and lease token). */
export interface ExecutionStore {
  get(id: string): Promise<Execution | undefined>;
  /** Reads executions by id without locking, in id order; missing ids are left out. */
  getMany(ids: readonly string[]): Promise<Execution[]>;
  /** The attempt that followed each of these (same job and occurrence, attempt + 1), where one was queued; in id order. */
  nextAttempts(executions: readonly Execution[]): Promise<Execution[]>;
  insert(executions: readonly Execution[]): Promise<void>;
  /**
   * insert, and in the same statement the job types of the inserted running executions (handed
   * off at creation) that have a quota (see NewExecutions.write).
   */
  insertReportingQuotaTypes(executions: readonly Execution[]): Promise<string[]>;
  /**
   * Moves up to `capacity` queued executions of the types, due by `now`, to running under new
   * leases (tokens from newToken), highest priority first, then earliest scheduled; skips rows
   * other transactions hold.
   */
  acquire(request: AcquireRequest, newToken: () => string): Promise<Execution[]>;
  /** Reads and locks running executions still held under these tokens; others are left out. */
  lockLeased(leases: readonly { id: string; leaseToken: string }[]): Promise<Execution[]>;
  /** Reads and locks executions by id (any status). */
  lock(ids: readonly string[]): Promise<Execution[]>;
  /** Reads and locks the queued and running executions of a job. */
  lockActive(jobId: string): Promise<Execution[]>;
  /** Locks up to `limit` running executions whose lease expired or whose deadline passed by `now`. */
  claimExpired(now: Date, limit: number): Promise<Execution[]>;
  /** Queued executions whose window closed (end policy CANCEL) before a worker took them, locked, skipping rows others hold. */
  claimWindowClosed(now: Date, limit: number): Promise<Execution[]>;
  /** Extends leases still held (fenced by token); returns the executions as they are now. */
  heartbeat(leases: readonly { id: string; leaseToken: string; progress: Execution['progress'] }[], now: Date): Promise<Execution[]>;
  /**
   * Writes the changes whose expected status (and token) still hold; returns the ids written.
   * Only what an execution's life changes is written (status, lease, worker, times, cancel flag,
   * error, result, progress); what was fixed when it was queued (job, type, number, occurrence,
   * attempt, trigger, priority, timeout, queue times) stays as stored.
   */
  update(changes: readonly ExecutionChange[]): Promise<Set<string>>;
  /** The earliest scheduled_at after `now` of queued executions of the types (long-poll sleep). */
  nextScheduledAt(jobTypes: readonly string[], now: Date): Promise<Date | undefined>;
  list(filter: ExecutionFilter, after: ExecutionCursor | undefined, limit: number): Promise<ExecutionPage>;
  /**
   * `executionCount`, the job's Job.executionCount when the caller has it, tells the store how
   * large the history is, so it can choose how to read it.
   */
  statistics(jobId: string, executionCount?: number): Promise<ExecutionStatistics>;
  /** Deletes up to `batch` executions the retention policy no longer keeps; returns how many. */
  prune(policy: RetentionPolicy, now: Date, batch: number): Promise<number>;
}
