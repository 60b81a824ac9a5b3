import { createWorkerClient } from '../adapters/grpc/client/index.js';
import { acquireLoop } from './acquire-loop.js';
import { Heartbeater } from './heartbeater.js';
import { LeaseRegistry } from './leases.js';
import { safeLogger } from './logger.js';
import { OutcomeReporter } from './outcome-reporter.js';
import { failure } from './outcome-values.js';
import { runExecution } from './execution-runner.js';
import { Slots } from './slots.js';
import { resolveOptions, type WorkerOptions } from './worker-options.js';

/** Reconnect quickly after a server restart; grpc-js's own default starts at 1 s and grows to 2 min. */
const CHANNEL_DEFAULTS = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 5_000 };

export interface Worker {
  /** The worker id sent with every call. */
  readonly id: string;
  /** Handlers running right now. */
  readonly inFlight: number;
  /**
   * Stops gracefully: no new acquisitions, then waits for running handlers (up to `timeoutMs`,
   * default the `stopTimeoutMs` option). Handlers still running then have their signal aborted
   * (reason `worker_stopped`) and are reported failed and retryable, so the retry policy runs
   * them again without waiting for the lease to expire. Then it flushes outcomes, stops
   * heartbeats and closes the connection. Idempotent.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/** Starts a worker: it acquires executions of `types` at once and runs `handler` on each. */
export function createWorker(options: WorkerOptions): Worker {
  const settings = resolveOptions(options);
  const log = safeLogger(settings.logger);
  const client = createWorkerClient(settings.address, settings.credentials, { ...CHANNEL_DEFAULTS, ...settings.channelOptions });
  const { workerId, leaseDurationMs } = settings;
  const leases = new LeaseRegistry();
  const slots = new Slots(settings.concurrency);
  const reporter = new OutcomeReporter(client, leases, { workerId, batchSize: settings.reportBatchSize, delayMs: settings.reportDelayMs, callTimeoutMs: Math.min(leaseDurationMs, 10_000) }, log);
  const heartbeater = new Heartbeater(client, leases, { workerId, leaseDurationMs }, log);
  const parts = { handler: settings.handler, leases, slots, reporter, log, leaseDurationMs };
  const stopping = new AbortController();
  const start = (acquired: Parameters<typeof runExecution>[0], receivedAt: number) => {
    runExecution(acquired, receivedAt, parts).catch((error: unknown) => log('error', 'unexpected error running an execution', { error: String(error) }));
  };
  const acquiring = acquireLoop(client, slots, { workerId, types: settings.types, waitMs: settings.acquireWaitMs, leaseDurationMs }, start, log, stopping.signal).catch((error: unknown) =>
    log('error', 'the acquire loop stopped unexpectedly', { error: String(error) }),
  );
  heartbeater.start();
  let stopped: Promise<void> | undefined;

  async function stop(timeoutMs: number): Promise<void> {
    stopping.abort();
    await acquiring;
    if (!(await finishesWithin(slots.idle(), timeoutMs))) {
      const message = `the worker stopped before the handler finished (waited ${timeoutMs} ms)`;
      for (const lease of leases.all().filter((l) => l.state === 'running')) {
        lease.abort('worker_stopped', message);
        reporter.report(lease, failure(message, { name: 'WorkerStopped' }, true));
      }
    }
    await reporter.drain();
    await heartbeater.stop();
    client.close();
  }

  return {
    id: workerId,
    get inFlight() {
      return slots.inUse;
    },
    stop: (stopOptions = {}) => (stopped ??= stop(stopOptions.timeoutMs ?? settings.stopTimeoutMs)),
  };
}

/** Whether `promise` settles within `ms`; leaves no timer behind. */
async function finishesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
