import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { JsonObject } from '@bufbuild/protobuf';
import type { AcquiredExecution } from '../gen/jobscheduler/v1/worker_service_pb.js';
import { Lease, type LeaseRegistry } from './leases.js';
import type { WorkerLogger } from './logger.js';
import type { OutcomeReporter } from './outcome-reporter.js';
import { boundedJson, failureOf, isJsonObject, successOf, type Outcome } from './outcome-values.js';
import type { Slots } from './slots.js';
import type { JobContext, JobHandler } from './worker-options.js';

export interface RunnerParts {
  readonly handler: JobHandler;
  readonly leases: LeaseRegistry;
  readonly slots: Slots;
  readonly reporter: OutcomeReporter;
  readonly log: WorkerLogger;
  readonly leaseDurationMs: number;
}

/**
 * Runs one acquired execution (its slot already taken): registers its lease for heartbeats,
 * calls the handler, frees the slot and queues the outcome, unless the server took the
 * execution back meanwhile (then the outcome would be refused, so it is not sent).
 */
export async function runExecution(acquired: AcquiredExecution, receivedAt: number, parts: RunnerParts): Promise<void> {
  const execution = acquired.execution;
  if (!execution) {
    parts.slots.release();
    parts.log('error', 'AcquireExecutions answered an entry without an execution; ignored');
    return;
  }
  const lease = new Lease(execution.id, acquired.leaseToken, receivedAt + parts.leaseDurationMs);
  parts.leases.add(lease);
  const job: JobContext = {
    executionId: execution.id,
    jobId: execution.jobId,
    jobName: acquired.jobName,
    jobType: execution.jobType,
    attempt: execution.attempt,
    occurrenceAt: execution.occurrenceAt ? timestampDate(execution.occurrenceAt) : new Date(Number.NaN),
    payload: acquired.payload ?? {},
    signal: lease.controller.signal,
    reportProgress: (progress) => setProgress(lease, progress),
  };
  let outcome: Outcome;
  try {
    outcome = successOf(await parts.handler(job));
  } catch (error) {
    outcome = failureOf(error);
  }
  parts.slots.release();
  if (lease.state === 'running') parts.reporter.report(lease, outcome);
  else parts.log('debug', 'handler finished after its execution was taken back; outcome not reported', { executionId: lease.executionId, state: lease.state });
}

function setProgress(lease: Lease, progress: JsonObject): void {
  let copy;
  try {
    copy = boundedJson(progress);
  } catch (error) {
    throw new RangeError(`progress cannot be recorded: ${(error as Error).message}`);
  }
  if (!isJsonObject(copy)) throw new TypeError('progress must be a JSON object');
  if (lease.state !== 'running') return;
  lease.progress = copy;
  lease.progressVersion += 1;
}
