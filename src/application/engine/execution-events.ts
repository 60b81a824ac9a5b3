import type { ExecutionEventKind, ExecutionEventRecord } from '../ports/event-store.js';
import type { Execution } from '../../domain/execution/execution.js';

/** The event that records an execution's current status. */
export function eventOf(execution: Execution, occurredAt: Date): ExecutionEventRecord {
  const kind: ExecutionEventKind = execution.status === 'running' ? 'started' : execution.status;
  return { kind, occurredAt, executionId: execution.id, jobId: execution.jobId, jobType: execution.jobType };
}
