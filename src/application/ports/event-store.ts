import type { ExecutionStatus } from '../../domain/execution/execution-status.js';

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
  /** Deletes events older than `before`; returns how many. */
  prune(before: Date, batch: number): Promise<number>;
}
