import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { JsonObject } from '@bufbuild/protobuf';
import type { AcquiredExecution } from '../gen/jobscheduler/v1/worker_service_pb.js';
import { inHandlerSpan } from './handler-span.js';
import type { Lease } from './leases.js';
import type { WorkerLogger } from './logger.js';
import { boundedJson, failureOf, isJsonObject, successOf, type Outcome } from './outcome-values.js';
import type { JobContext, JobHandler } from './worker-options.js';

export interface RunnerParts {
  readonly handler: JobHandler;
  /** How long a handler ran, in ms. */
  readonly ran: (ms: number) => void;
  readonly log: WorkerLogger;
  /** The outcome of a handler whose lease is still held. */
  readonly report: (lease: Lease, outcome: Outcome) => void;
  /** New progress of a running execution. */
  readonly progress: (lease: Lease) => void;
  /** The handler is done (its slot is free again), whatever happened. */
  readonly done: () => void;
}

/**
 * Runs one execution whose slot is taken: calls the handler and reports the outcome, unless the
 * server took the execution back meanwhile (then the outcome would be refused, so it is not sent).
 */
export async function runExecution(acquired: AcquiredExecution, lease: Lease, parts: RunnerParts): Promise<void> {
  const execution = acquired.execution!;
  lease.state = 'running';
  const job: JobContext = {
    executionId: execution.id,
    jobId: execution.jobId,
    jobName: acquired.jobName,
    jobType: execution.jobType,
    attempt: execution.attempt,
    occurrenceAt: execution.occurrenceAt ? timestampDate(execution.occurrenceAt) : new Date(Number.NaN),
    payload: acquired.payload ?? {},
    get signal() {
      return lease.signal;
    },
    reportProgress: (progress) => {
      if (setProgress(lease, progress)) parts.progress(lease);
    },
  };
  let outcome: Outcome;
  const started = performance.now();
  try {
    outcome = successOf(await inHandlerSpan(acquired, () => parts.handler(job)));
  } catch (error) {
    outcome = failureOf(error);
  }
  parts.ran(performance.now() - started);
  if (lease.state === 'running') {
    lease.state = 'reporting';
    parts.report(lease, outcome);
  } else parts.log('debug', 'handler finished after its execution was taken back; outcome not reported', { executionId: lease.executionId, state: lease.state });
  parts.done();
}

/** Whether the progress was recorded (it is not once the execution is no longer running). */
function setProgress(lease: Lease, progress: JsonObject): boolean {
  let copy;
  try {
    copy = boundedJson(progress);
  } catch (error) {
    throw new RangeError(`progress cannot be recorded: ${(error as Error).message}`);
  }
  if (!isJsonObject(copy)) throw new TypeError('progress must be a JSON object');
  if (lease.state !== 'running') return false;
  lease.progress = copy;
  lease.progressVersion += 1;
  return true;
}
