import type { AcquiredExecution } from '../../../application/worker/acquire-executions.js';
import type { Execution } from '../../../domain/execution/execution.js';
import type { ExecutionStatus as DomainStatus } from '../../../domain/execution/execution-status.js';
import type { Trigger } from '../../../domain/job/job-operations.js';
import { ExecutionStatus, ExecutionTrigger, type Execution as ExecutionMessage } from '../../../gen/jobscheduler/v1/execution_pb.js';
import type { AcquiredExecution as AcquiredMessage } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import { durationMs } from '../../../domain/execution/execution-operations.js';
import { DomainError } from '../../../domain/errors.js';
import { duration, reverseOf, timestamp } from './wire-values.js';

export const STATUS_TO_WIRE: Readonly<Record<DomainStatus, ExecutionStatus>> = {
  queued: ExecutionStatus.QUEUED,
  running: ExecutionStatus.RUNNING,
  succeeded: ExecutionStatus.SUCCEEDED,
  failed: ExecutionStatus.FAILED,
  cancelled: ExecutionStatus.CANCELLED,
  timed_out: ExecutionStatus.TIMED_OUT,
  lost: ExecutionStatus.LOST,
};

const STATUS_FROM_WIRE = reverseOf(STATUS_TO_WIRE);

export function statusFromWire(field: string, status: number): DomainStatus {
  const found = STATUS_FROM_WIRE.get(status);
  if (found === undefined) throw DomainError.invalidArgument(`${field} has an unknown or unspecified execution status (${status})`);
  return found;
}

const TRIGGER_TO_WIRE: Readonly<Record<Trigger, ExecutionTrigger>> = {
  schedule: ExecutionTrigger.SCHEDULE,
  retry: ExecutionTrigger.RETRY,
  run_now: ExecutionTrigger.RUN_NOW,
  manual_retry: ExecutionTrigger.MANUAL_RETRY,
  upstream: ExecutionTrigger.UPSTREAM,
};

/**
 * The one mapping from a domain Execution to the wire message. The lease token never leaves here.
 * It builds the message itself, every field set, rather than an init shape: create() returns a
 * message as it is, where it would walk the schema again for each init shape (a page of history
 * holds 50 of them, and every execution handed to a worker is one).
 */
export function executionMessage(execution: Execution): ExecutionMessage {
  return {
    $typeName: 'jobscheduler.v1.Execution',
    id: execution.id,
    jobId: execution.jobId,
    jobType: execution.jobType,
    number: BigInt(execution.number),
    occurrenceAt: timestamp(execution.occurrenceAt),
    attempt: execution.attempt,
    trigger: TRIGGER_TO_WIRE[execution.trigger],
    status: STATUS_TO_WIRE[execution.status],
    queuedAt: timestamp(execution.queuedAt),
    scheduledAt: timestamp(execution.scheduledAt),
    startedAt: timestamp(execution.startedAt),
    finishedAt: timestamp(execution.finishedAt),
    duration: duration(durationMs(execution)),
    workerId: execution.workerId ?? '',
    leaseExpiresAt: timestamp(execution.leaseExpiresAt),
    deadlineAt: timestamp(execution.deadlineAt),
    cancelRequested: execution.cancelRequested,
    ...(execution.error ? { error: { $typeName: 'jobscheduler.v1.ExecutionError', message: execution.error.message, retryable: execution.error.retryable, ...(execution.error.details ? { details: execution.error.details } : {}) } } : {}),
    ...(execution.result ? { result: execution.result } : {}),
    ...(execution.progress ? { progress: execution.progress } : {}),
    traceParent: execution.traceContext?.traceparent ?? '',
    upstreamExecutionIds: [...execution.upstreamExecutionIds],
    windowClosesAt: timestamp(execution.windowClosesAt),
  };
}

/** An execution handed to a worker: with its lease, and the trace context its handler runs in. */
export function acquiredMessage({ execution, jobName, payload }: AcquiredExecution): AcquiredMessage {
  return {
    $typeName: 'jobscheduler.v1.AcquiredExecution',
    execution: executionMessage(execution),
    jobName,
    payload,
    leaseToken: execution.leaseToken ?? '',
    leaseExpiresAt: timestamp(execution.leaseExpiresAt),
    traceParent: execution.traceContext?.traceparent ?? '',
    traceState: execution.traceContext?.tracestate ?? '',
  };
}
