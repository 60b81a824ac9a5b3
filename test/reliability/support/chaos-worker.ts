import { closeSync, openSync, writeSync } from 'node:fs';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import type { ReportOutcomesRequest, ReportOutcomesResponse, WorkRequest, WorkResponse } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { createWorker, NonRetryableError, type JobContext } from '../../../src/sdk/index.js';
import { ROUND_ROBIN, type WorkLine } from './chaos-model.js';

/**
 * A worker process for the chaos and endurance runs, built on the SDK like any real worker:
 * `node dist/test/reliability/support/chaos-worker.js` with its settings in the environment
 * (CHAOS_TARGET, CHAOS_TYPES, CHAOS_WORKER_ID, CHAOS_LOG, CHAOS_LEASE_MS, CHAOS_CONCURRENCY).
 *
 * It writes one JSON line per fact to CHAOS_LOG with writeSync, so a line written before a
 * SIGKILL is in the file: handler start and end, and every outcome the server acknowledged
 * (seen by an interceptor on the answers, i.e. exactly what the worker was told).
 * SIGTERM stops it gracefully, the way a deployment would.
 */
const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};
const workerId = env('CHAOS_WORKER_ID');
const log = openSync(env('CHAOS_LOG'), 'a');
const write = (line: WorkLine) => writeSync(log, `${JSON.stringify(line)}\n`);

/**
 * Records the server's answer to every outcome this worker reported: on its Work stream (what
 * the SDK uses) or on ReportOutcomes.
 */
const acknowledgements: Interceptor = (options, nextCall) => {
  const path = String(options.method_definition.path);
  if (!path.endsWith('/ReportOutcomes') && !path.endsWith('/Work')) return new InterceptingCall(nextCall(options));
  const kinds = new Map<string, 'success' | 'failure'>();
  return new InterceptingCall(nextCall(options), {
    sendMessage(message: ReportOutcomesRequest | WorkRequest, next) {
      for (const o of message.outcomes) if (o.outcome.case !== 'release') kinds.set(o.executionId, o.outcome.case === 'success' ? 'success' : 'failure');
      next(message);
    },
    start(metadata, _listener, next) {
      next(metadata, {
        onReceiveMessage(message: ReportOutcomesResponse | WorkResponse | null, nextMessage) {
          // A call that ends without an answer (an error status) passes null through here.
          const t = Date.now();
          for (const result of message?.results ?? []) {
            const kind = kinds.get(result.executionId);
            kinds.delete(result.executionId);
            // A release is not an outcome of the attempt: the execution is queued again.
            if (kind === undefined && result.accepted) continue;
            if (result.accepted) write({ e: 'ack', x: result.executionId, k: kind ?? 'success', t });
            else write({ e: 'refused', x: result.executionId, code: result.code, t });
          }
          nextMessage(message);
        },
      });
    },
  });
};

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', aborted, { once: true });
  });
}

/** What a job does is in its payload: { mode, ms }. */
async function handle(job: JobContext): Promise<unknown> {
  const mode = String(job.payload.mode ?? 'ok');
  const ms = Number(job.payload.ms ?? 0);
  write({ e: 'start', x: job.executionId, j: job.jobId, o: job.occurrenceAt.getTime(), a: job.attempt, w: workerId, t: Date.now() });
  try {
    switch (mode) {
      case 'fail':
        await pause(ms, job.signal);
        throw new Error('planned failure');
      case 'fatal':
        await pause(ms, job.signal);
        throw new NonRetryableError('planned permanent failure');
      case 'flaky':
        await pause(ms, job.signal);
        if (job.attempt === 1) throw new Error('planned first-attempt failure');
        break;
      case 'hang':
        await pause(3_600_000, job.signal);
        break;
      default:
        for (let done = 0; done < ms; done += 500) {
          await pause(Math.min(500, ms - done), job.signal);
          job.reportProgress({ doneMs: Math.min(ms, done + 500) });
        }
    }
    write({ e: 'end', x: job.executionId, r: 'ok', t: Date.now() });
    return { worker: workerId };
  } catch (error) {
    write({ e: 'end', x: job.executionId, r: job.signal.aborted ? 'abort' : 'fail', t: Date.now() });
    throw error;
  }
}

const worker = createWorker({
  address: env('CHAOS_TARGET'),
  channelOptions: { ...ROUND_ROBIN, interceptors: [acknowledgements] },
  types: env('CHAOS_TYPES').split(','),
  handler: handle,
  workerId,
  concurrency: Number(env('CHAOS_CONCURRENCY', '8')),
  leaseDurationMs: Number(env('CHAOS_LEASE_MS', '5000')),
  stopTimeoutMs: 2_000,
  logger: (level, message, fields) => {
    if (level === 'error' || process.env.CHAOS_VERBOSE) process.stderr.write(`[${workerId}] ${level}: ${message} ${JSON.stringify(fields ?? {})}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ ready: workerId, pid: process.pid })}\n`);

process.once('SIGTERM', () => {
  worker.stop().then(
    () => {
      closeSync(log);
      process.exit(0);
    },
    () => process.exit(1),
  );
});
