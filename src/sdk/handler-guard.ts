import type { JsonObject } from '@bufbuild/protobuf';
import { pathToFileURL } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import type { JobContext, JobHandler } from './worker-options.js';

/** Where a guarded handler runs and what it may use. */
export interface HandlerGuard {
  /**
   * The handler's module (a file URL or an absolute path): its default export is called with a
   * GuardedJob and its resolved value is the result. It runs in a worker thread of its own, so it
   * shares no memory with the worker's process and can be stopped whatever it is doing.
   */
  module: string | URL;
  /** The thread's heap limit in MiB (V8's old generation, `resourceLimits.maxOldGenerationSizeMb`). */
  maxMemoryMb?: number;
  /** How long one execution may run before the thread is stopped, in milliseconds. */
  timeoutMs?: number;
}

/** What a guarded handler receives: the execution's fields that can cross to another thread. */
export interface GuardedJob {
  readonly executionId: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly jobType: string;
  readonly attempt: number;
  readonly occurrenceAt: Date;
  readonly payload: JsonObject;
}

/** Which limit stopped a guarded handler: its failure's error_details.code. */
export type GuardLimit = 'memory_limit' | 'time_limit';

/**
 * A guarded handler was stopped by its guard. The execution fails with this message and
 * error_details `{ "name": "HandlerGuardError", "code": "memory_limit" | "time_limit", … }`, and
 * is retried by the job's retry policy like any failure.
 */
export class HandlerGuardError extends Error {
  override readonly name: string = 'HandlerGuardError';

  constructor(
    readonly code: GuardLimit,
    message: string,
  ) {
    super(message);
  }
}

// Evaluated as a CommonJS script in the thread (so the SDK ships no second file): imports the
// handler's module, runs its default export, and posts the outcome back.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module)
  .then(async (module) => {
    const handler = module.default;
    if (typeof handler !== 'function') throw new TypeError(workerData.module + ' has no default export to run');
    parentPort.postMessage({ ok: true, result: await handler(workerData.job) });
  })
  .catch((error) => parentPort.postMessage({ ok: false, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error), stack: error?.stack, retryable: error?.retryable } }));
`;

interface ThreadAnswer {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string; stack?: string; retryable?: boolean };
}

/**
 * A handler that runs `guard.module` in a worker thread with a memory limit and a time limit.
 * When a limit is reached the thread is stopped and the execution fails with a
 * HandlerGuardError naming the limit; a cancel or a lost lease stops the thread too.
 */
export function guardedHandler(guard: HandlerGuard): JobHandler {
  const module = guard.module instanceof URL ? guard.module.href : /^[a-z][a-z0-9+.-]*:\/\//i.test(guard.module) ? guard.module : pathToFileURL(guard.module).href;
  if (guard.maxMemoryMb !== undefined && !(guard.maxMemoryMb >= 1)) throw new RangeError(`maxMemoryMb must be at least 1, got ${guard.maxMemoryMb}`);
  if (guard.timeoutMs !== undefined && !(guard.timeoutMs >= 1)) throw new RangeError(`timeoutMs must be at least 1, got ${guard.timeoutMs}`);
  return (ctx: JobContext) => runGuarded(module, guard, ctx);
}

function runGuarded(module: string, guard: HandlerGuard, ctx: JobContext): Promise<unknown> {
  const job: GuardedJob = { executionId: ctx.executionId, jobId: ctx.jobId, jobName: ctx.jobName, jobType: ctx.jobType, attempt: ctx.attempt, occurrenceAt: ctx.occurrenceAt, payload: ctx.payload };
  const thread = new Thread(THREAD, {
    eval: true,
    workerData: { module, job },
    ...(guard.maxMemoryMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: guard.maxMemoryMb } }),
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      void thread.terminate();
      outcome();
    };
    const timer =
      guard.timeoutMs === undefined
        ? undefined
        : setTimeout(() => finish(() => reject(new HandlerGuardError('time_limit', `the handler was stopped by its guard: it ran longer than its time limit of ${guard.timeoutMs} ms`))), guard.timeoutMs);
    const onAbort = () => finish(() => reject(ctx.signal.reason));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    thread.once('message', (answer: ThreadAnswer) =>
      finish(() => {
        if (answer.ok) return resolve(answer.result);
        const error = Object.assign(new Error(answer.error?.message ?? 'the handler failed'), { name: answer.error?.name ?? 'Error', stack: answer.error?.stack, ...(answer.error?.retryable === false ? { retryable: false } : {}) });
        reject(error);
      }),
    );
    thread.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new HandlerGuardError('memory_limit', `the handler was stopped by its guard: it used more than its memory limit of ${guard.maxMemoryMb} MiB`)
            : error,
        ),
      ),
    );
    thread.once('exit', (code) => finish(() => reject(new Error(`the handler's thread exited (code ${code}) without an outcome`))));
  });
}
