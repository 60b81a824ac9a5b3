import type { ExecutionEventKind, ExecutionEventRecord } from '../ports/event-store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { Execution } from '../../domain/execution/execution.js';

/** The event that records an execution's current status. */
export function eventOf(execution: Execution, occurredAt: Date): ExecutionEventRecord {
  const kind: ExecutionEventKind = execution.status === 'running' ? 'started' : execution.status;
  return { kind, occurredAt, executionId: execution.id, jobId: execution.jobId, jobType: execution.jobType };
}

/** Tells waiting workers (on every replica) that executions of these types were queued. */
export function wakeWorkersFor(wakeUps: WakeUps, queued: readonly Execution[]): void {
  if (queued.length > 0) wakeUps.executionsQueued([...new Set(queued.map((e) => e.jobType))]);
}
