// The worker SDK: createWorker runs handlers for executions acquired from JobScheduler.
export { createWorker, type Worker } from './worker.js';
export { NonRetryableError, ExecutionAbortedError, type AbortKind } from './errors.js';
export type { JobContext, JobHandler, WorkerOptions } from './worker-options.js';
export type { LogLevel, WorkerLogger } from './logger.js';
export { guardedHandler, HandlerGuardError, type GuardedJob, type GuardLimit, type HandlerGuard } from './handler-guard.js';
