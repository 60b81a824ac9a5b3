import type { AcquireExecutions } from '../../../application/worker/acquire-executions.js';
import type { Heartbeat } from '../../../application/worker/heartbeat.js';
import type { OutcomeResult, ReportedOutcome, ReportOutcomes } from '../../../application/worker/report-outcomes.js';
import { DomainError } from '../../../domain/errors.js';
import type { ExecutionFailure, ExecutionOutcome, ExecutionSuccess } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import { AcquiredExecutionSchema, AcquireExecutionsResponseSchema, type WorkerService } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import { acquiredMessage, executionMessage } from '../mapping/execution-message.js';
import { boundedJson, truncate } from '../mapping/json-limits.js';
import { CLIENT_MAX_RECEIVE_BYTES, encoded, framedBytes, runsWithin } from '../mapping/message-bytes.js';
import { msFrom, requireId, requireJobTypes, requireText, timestamp } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';
import { STATUS_BY_KIND } from '../status-table.js';
import type { WorkSessions } from '../../../application/worker/work-sessions.js';
import { workStream } from './work-stream.js';

const MAX_BATCH = 1000;

export interface WorkerUseCases {
  acquire: AcquireExecutions;
  heartbeat: Heartbeat;
  report: ReportOutcomes;
  sessions: WorkSessions;
  /** Lease length when a worker does not ask for one. */
  defaultLeaseMs: number;
}

/** WorkerService: validates each request, calls the use case, maps the answer. */
export function workerHandlers(useCases: WorkerUseCases): ServiceHandlers<typeof WorkerService> {
  return {
    work: (requests, send, context) => workStream(useCases.sessions, useCases.defaultLeaseMs, requests, send, context),

    async acquireExecutions(request, context) {
      const workerId = requireText('worker_id', request.workerId, 200);
      if (request.jobTypes.length < 1 || request.jobTypes.length > 100) throw DomainError.invalidArgument(`job_types must list 1 to 100 types, got ${request.jobTypes.length}`);
      requireJobTypes(request.jobTypes);
      if (request.capacity < 1 || request.capacity > MAX_BATCH) throw DomainError.invalidArgument(`capacity must be from 1 to ${MAX_BATCH}, got ${request.capacity}`);
      const waitMs = msFrom('wait', request.wait) ?? 0;
      if (waitMs > 60_000) throw DomainError.invalidArgument(`wait must be at most 60s, got ${waitMs / 1000}s`);
      const acquired = await useCases.acquire.execute({
        workerId,
        jobTypes: request.jobTypes,
        capacity: request.capacity,
        waitMs,
        leaseDurationMs: msFrom('lease_duration', request.leaseDuration),
        signal: context.signal,
      });
      const executions = acquired.map(acquiredMessage);
      const whole = encoded(AcquireExecutionsResponseSchema, { executions });
      if (whole.bytes.length <= CLIENT_MAX_RECEIVE_BYTES) return whole;
      // More than a client receives in one message: the rest goes back to the queue, unstarted,
      // for this worker's next call (or another worker's); capacity is a most, not a promise.
      const [fits = [], ...more] = runsWithin(executions, (execution) => framedBytes(AcquiredExecutionSchema, execution), CLIENT_MAX_RECEIVE_BYTES);
      await useCases.report.execute(more.flat().map((m) => ({ executionId: m.execution!.id, leaseToken: m.leaseToken, outcome: { kind: 'released' as const } })));
      return { executions: fits };
    },

    async heartbeat(request) {
      requireText('worker_id', request.workerId, 200);
      if (request.leases.length < 1 || request.leases.length > MAX_BATCH) throw DomainError.invalidArgument(`leases must list 1 to ${MAX_BATCH} leases, got ${request.leases.length}`);
      const leases = request.leases.map((lease, i) => ({
        executionId: requireId(`leases[${i}].execution_id`, lease.executionId),
        leaseToken: requireId(`leases[${i}].lease_token`, lease.leaseToken),
        progress: boundedJson(`leases[${i}].progress`, lease.progress),
      }));
      const statuses = await useCases.heartbeat.execute(leases);
      return {
        leases: statuses.map((s) => ({ executionId: s.executionId, held: s.held, leaseExpiresAt: timestamp(s.leaseExpiresAt), cancelRequested: s.cancelRequested, reason: s.reason })),
      };
    },

    async completeExecution(request) {
      const [result] = await useCases.report.execute([
        { executionId: requireId('execution_id', request.executionId), leaseToken: requireId('lease_token', request.leaseToken), outcome: success('', request.result) },
      ]);
      return { execution: executionMessage(accepted(result).execution) };
    },

    async failExecution(request) {
      const [result] = await useCases.report.execute([
        {
          executionId: requireId('execution_id', request.executionId),
          leaseToken: requireId('lease_token', request.leaseToken),
          outcome: failure('', request),
        },
      ]);
      const { execution, retry } = accepted(result);
      return { execution: executionMessage(execution), ...(retry ? { retry: executionMessage(retry) } : {}) };
    },

    async reportOutcomes(request) {
      requireText('worker_id', request.workerId, 200);
      if (request.outcomes.length < 1 || request.outcomes.length > MAX_BATCH) throw DomainError.invalidArgument(`outcomes must list 1 to ${MAX_BATCH} outcomes, got ${request.outcomes.length}`);
      const outcomes = request.outcomes.map((o, i) => reported(`outcomes[${i}]`, o));
      const results = await useCases.report.execute(outcomes);
      return {
        results: results.map((r) =>
          r.accepted ? { executionId: r.executionId, accepted: true } : { executionId: r.executionId, accepted: false, code: STATUS_BY_KIND[r.refusal], message: r.reason },
        ),
      };
    },
  };
}

export function reported(field: string, outcome: ExecutionOutcome): ReportedOutcome {
  const executionId = requireId(`${field}.execution_id`, outcome.executionId);
  const leaseToken = requireId(`${field}.lease_token`, outcome.leaseToken);
  switch (outcome.outcome.case) {
    case 'success':
      return { executionId, leaseToken, outcome: success(`${field}.success.`, outcome.outcome.value.result) };
    case 'failure':
      return { executionId, leaseToken, outcome: failure(`${field}.failure.`, outcome.outcome.value) };
    case 'release':
      return { executionId, leaseToken, outcome: { kind: 'released' } };
    default:
      throw DomainError.invalidArgument(`${field} must set success, failure or release`);
  }
}

function success(prefix: string, result: ExecutionSuccess['result']): ReportedOutcome['outcome'] {
  return { kind: 'succeeded' as const, result: boundedJson(`${prefix}result`, result) };
}

function failure(prefix: string, failed: Pick<ExecutionFailure, 'errorMessage' | 'errorDetails' | 'retryable'>): ReportedOutcome['outcome'] {
  return {
    kind: 'failed' as const,
    error: {
      message: truncate(requireText(`${prefix}error_message`, failed.errorMessage, Number.MAX_SAFE_INTEGER)),
      details: boundedJson(`${prefix}error_details`, failed.errorDetails),
      retryable: failed.retryable ?? true,
    },
  };
}

function accepted(result: OutcomeResult | undefined): Extract<OutcomeResult, { accepted: true }> {
  if (!result) throw new Error('no outcome result');
  if (result.accepted) return result;
  throw new DomainError(result.refusal, `execution ${result.executionId}: ${result.reason}`);
}
