import { DomainError } from '../../domain/errors.js';
import type { ExecutionStatus } from '../../domain/execution/execution-status.js';
import { quoted } from '../../domain/text.js';

export type ExecutionEventKind = 'queued' | 'started' | Exclude<ExecutionStatus, 'queued' | 'running'>;

export interface ExecutionEventRecord {
  readonly kind: ExecutionEventKind;
  readonly occurredAt: Date;
  readonly executionId: string;
  readonly jobId: string;
  readonly jobType: string;
}

export interface StoredExecutionEvent extends ExecutionEventRecord {
  /** Opaque, totally ordered position in the cluster-wide log. */
  readonly cursor: string;
}

export interface EventFilter {
  readonly jobId?: string;
  readonly jobTypes?: readonly string[];
}

/** Whether an event of this job and type passes the filter (every store applies it the same way). */
export function matchesEventFilter(filter: EventFilter, jobId: string, jobType: string): boolean {
  return (!filter.jobId || jobId === filter.jobId) && (!filter.jobTypes?.length || filter.jobTypes.includes(jobType));
}

/** What every store answers for a cursor it did not issue, and for one older than the retained log. */
export const cursorErrors = {
  notIssued: (cursor: string) => DomainError.invalidArgument(`cursor ${quoted(cursor)} is not a cursor this service issued`),
  pruned: () =>
    DomainError.outOfRange('the cursor is older than the retained event log (events after it were pruned); start again without a cursor and read current state with ListExecutions'),
};

export interface EventPage {
  readonly events: StoredExecutionEvent[];
  /** Where the next read starts: past every event read, including those the filter dropped. */
  readonly cursor: string;
  /** True when the read stopped at its limit, so more (final) events may follow at once. */
  readonly more: boolean;
}

/** The execution event log behind WatchExecutions, shared by all replicas. */
export interface EventStore {
  append(events: readonly ExecutionEventRecord[]): Promise<void>;
  /**
   * Events after `cursor` (undefined: from the current end) that are final, i.e. no event that
   * sorts before them can still appear; in log order, at most `limit`.
   */
  readAfter(cursor: string | undefined, filter: EventFilter, limit: number): Promise<EventPage>;
  /**
   * Deletes events older than `before`, at most `batch` appends of them: each append is pruned
   * whole, the oldest first, once its latest event is older. Returns how many events went.
   */
  prune(before: Date, batch: number): Promise<number>;
}
