import type { JsonObject } from '@bufbuild/protobuf';
import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { ClientSecurity } from '../adapters/grpc/client/credentials.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { isJobType } from '../domain/job/job-type.js';
import { consoleLogger, type WorkerLogger } from './logger.js';

/** What the server accepts as a job type. */

/** One execution as a handler sees it. */
export interface JobContext {
  readonly executionId: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly jobType: string;
  /** 1 for the first attempt of an occurrence, 2 for its first retry, and so on. */
  readonly attempt: number;
  /** The scheduled time this execution stands for (retries keep it). */
  readonly occurrenceAt: Date;
  readonly payload: JsonObject;
  /** Aborts on cancel, attempt timeout, lost lease or stop() timeout; the reason is an ExecutionAbortedError. */
  readonly signal: AbortSignal;
  /** Records progress (at most 64 KiB as JSON); the latest value rides on the next heartbeat. */
  reportProgress(progress: JsonObject): void;
}

/**
 * Runs one execution. Resolving completes it, with the value as its result (an object is stored
 * as is; another value as `{ value }`; undefined or null as no result). Throwing fails it, with
 * the error's message and `{ name, stack }` as details; retried by the job's policy unless the
 * error is a NonRetryableError or has `retryable: false`.
 */
export type JobHandler = (job: JobContext) => Promise<unknown>;

/**
 * Security is `{ tls, token }` as for createJobSchedulerClient (ClientSecurity), or grpc-js
 * `credentials`; not both. Neither: plaintext without a token.
 */
export interface WorkerOptions extends ClientSecurity {
  /** host:port of the JobScheduler service. */
  address: string;
  /** grpc-js channel credentials, instead of `tls`/`token`. */
  credentials?: ChannelCredentials;
  /** Extra grpc-js channel options (merged over the SDK's reconnect settings). */
  channelOptions?: ChannelOptions;
  /** The job types this worker runs, 1 to 100. */
  types: readonly string[];
  handler: JobHandler;
  /** Handlers running at once. Default 10. */
  concurrency?: number;
  /**
   * Executions the worker may hold beyond its running handlers, waiting for a free slot, so a
   * slot that frees up starts the next execution at once instead of after a round trip to the
   * server. They are leased to this worker while they wait; stop() gives them back unstarted.
   * 0 to 1,000. Default: as many as the worker runs in about 25 ms at its handlers' recent pace
   * (many for jobs of a millisecond, none for jobs of seconds), at most 500.
   */
  prefetch?: number;
  /** Names this process in execution records. Default `hostname:pid:random`. */
  workerId?: string;
  /**
   * How long a lease lasts if the connection to the server breaks, 5 s to 1 h. While it is open
   * the server extends every lease the worker holds; if it stays down for two thirds of this,
   * the worker gives its leases up and aborts their handlers. Default 30 s.
   */
  leaseDurationMs?: number;
  /** @deprecated Ignored: workers receive executions on one stream instead of long polls. */
  acquireWaitMs?: number;
  /** @deprecated Ignored: outcomes leave on the worker's stream as soon as they are known. */
  reportBatchSize?: number;
  /** @deprecated Ignored: outcomes leave on the worker's stream as soon as they are known. */
  reportDelayMs?: number;
  /** How long stop() waits for running handlers before aborting them. Default 30 s. */
  stopTimeoutMs?: number;
  /** Where the worker's own events go. Default: warnings and errors to stderr. */
  logger?: WorkerLogger;
}

type Deprecated = 'acquireWaitMs' | 'reportBatchSize' | 'reportDelayMs';
type Optional = 'credentials' | 'prefetch' | keyof ClientSecurity;
export type ResolvedOptions = Required<Omit<WorkerOptions, Optional | Deprecated>> & Pick<WorkerOptions, Optional>;

/** Fills defaults and rejects values the server would refuse, at construction rather than in a loop. */
export function resolveOptions(options: WorkerOptions): ResolvedOptions {
  const { acquireWaitMs: _wait, reportBatchSize: _batch, reportDelayMs: _delay, ...current } = options;
  const given = definedOnly(current);
  const resolved: ResolvedOptions = {
    concurrency: 10,
    workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    leaseDurationMs: 30_000,
    stopTimeoutMs: 30_000,
    logger: consoleLogger,
    channelOptions: {},
    ...given,
  };
  if (resolved.types.length < 1 || resolved.types.length > 100) throw new RangeError(`types must list 1 to 100 job types, got ${resolved.types.length}`);
  for (const type of resolved.types) if (!isJobType(type)) throw new RangeError(`${JSON.stringify(type)} is not a job type: 1 to 100 letters, digits and . _ : -`);
  if (resolved.credentials !== undefined && (resolved.tls !== undefined || resolved.token !== undefined)) {
    throw new TypeError('pass either credentials or tls/token, not both');
  }
  if (typeof resolved.handler !== 'function') throw new TypeError('handler must be a function');
  inRange('concurrency', resolved.concurrency, 1, Number.MAX_SAFE_INTEGER);
  inRange('leaseDurationMs', resolved.leaseDurationMs, 5_000, 3_600_000);
  if (resolved.prefetch !== undefined) inRange('prefetch', resolved.prefetch, 0, 1_000);
  inRange('stopTimeoutMs', resolved.stopTimeoutMs, 0, Number.MAX_SAFE_INTEGER);
  if (resolved.workerId.trim() === '' || resolved.workerId.length > 200) throw new RangeError('workerId must be 1 to 200 characters');
  return resolved;
}

function inRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
