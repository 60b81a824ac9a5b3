import { createWorkerClient } from '../adapters/grpc/client/index.js';
import type { AcquiredExecution } from '../gen/jobscheduler/v1/worker_service_pb.js';
import { runExecution } from './execution-runner.js';
import { loadTracingApi } from './handler-span.js';
import { Lease, LeaseRegistry } from './leases.js';
import { safeLogger } from './logger.js';
import { failure } from './outcome-values.js';
import { Prefetch } from './prefetch.js';
import { Slots } from './slots.js';
import { WorkConnection } from './work-connection.js';
import { resolveOptions, type WorkerOptions } from './worker-options.js';

/** Reconnect quickly after a server restart; grpc-js's own default starts at 1 s and grows to 2 min. */
const CHANNEL_DEFAULTS = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 5_000 };
/** How long stop() waits, after the handlers, for the server to answer the last outcomes. */
const ANSWER_WAIT_MS = 10_000;

export interface Worker {
  /** The worker id the server records on its executions. */
  readonly id: string;
  /** Handlers running right now. */
  readonly inFlight: number;
  /**
   * Stops gracefully: no new executions; those received and not started yet go back to the
   * queue at once (released, no attempt used); then it waits for running handlers (up to
   * `timeoutMs`, default the `stopTimeoutMs` option). Handlers still running then have their
   * signal aborted (reason `worker_stopped`) and are reported failed and retryable, so the retry
   * policy runs them again without waiting for the lease to expire. Then it waits for the server
   * to answer the outcomes and closes the connection. Idempotent.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/** Starts a worker: it takes executions of `types` on one Work stream and runs `handler` on each. */
export function createWorker(options: WorkerOptions): Worker {
  const settings = resolveOptions(options);
  const log = safeLogger(settings.logger);
  // The tracing API (about 40 ms to import) and `performance` (a lazily loaded global) would
  // otherwise load when the first execution arrives, and it would wait for them.
  void loadTracingApi();
  performance.now();
  const { tls, token, allowPlaintextToken } = settings;
  const security = settings.credentials ?? { tls, token, allowPlaintextToken };
  const client = createWorkerClient(settings.address, security, { ...CHANNEL_DEFAULTS, ...settings.channelOptions });
  const leases = new LeaseRegistry();
  const slots = new Slots(settings.concurrency);
  const prefetch = new Prefetch(settings.concurrency, settings.prefetch);
  /** Received, waiting for a free slot, oldest first. */
  let waiting: Array<{ acquired: AcquiredExecution; lease: Lease }> = [];
  let stopping = false;

  const connection = new WorkConnection(
    client,
    leases,
    { workerId: settings.workerId, types: settings.types, leaseDurationMs: settings.leaseDurationMs, capacity: () => settings.concurrency + prefetch.count },
    () => leases.occupying,
    {
      received(executions) {
        for (const acquired of executions) {
          if (!acquired.execution) continue;
          const lease = new Lease(acquired.execution.id, acquired.leaseToken);
          leases.add(lease);
          waiting.push({ acquired, lease });
        }
        startWaiting();
      },
      lost(statuses) {
        for (const status of statuses) {
          const lease = leases.get(status.executionId);
          if (!lease) continue;
          leases.remove(lease.executionId);
          waiting = waiting.filter((w) => w.lease !== lease);
          if (lease.state !== 'running') continue;
          log(status.cancelRequested ? 'info' : 'warn', status.cancelRequested ? 'execution cancelled; aborting its handler' : 'lease lost; aborting the handler', { executionId: lease.executionId, reason: status.reason });
          lease.abort(status.cancelRequested ? 'cancelled' : 'lease_lost', status.reason || 'the server no longer honours the lease');
        }
        connection.replenish();
      },
      answered(result) {
        leases.remove(result.executionId);
        if (!result.accepted) log('warn', 'outcome refused by the server', { executionId: result.executionId, code: result.code, reason: result.message });
      },
      expired(reason) {
        log('warn', 'leases given up: the server could not be reached while they lasted', { leases: leases.all().length });
        for (const lease of leases.all()) {
          if (lease.state === 'running') lease.abort('lease_lost', reason);
          leases.remove(lease.executionId);
        }
        waiting = [];
        connection.replenish();
      },
    },
    log,
  );

  const parts = {
    handler: settings.handler,
    ran: (ms: number) => prefetch.ran(ms),
    log,
    report: connection.report.bind(connection),
    progress: connection.progress.bind(connection),
    done: () => {
      slots.release();
      startWaiting();
      connection.replenish();
    },
  };

  function startWaiting(): void {
    while (!stopping && slots.free > 0 && waiting.length > 0) {
      const { acquired, lease } = waiting.shift()!;
      slots.take(1);
      runExecution(acquired, lease, parts).catch((error: unknown) => log('error', 'unexpected error running an execution', { error: String(error) }));
    }
  }

  connection.start();
  let stopped: Promise<void> | undefined;

  async function stop(timeoutMs: number): Promise<void> {
    stopping = true;
    for (const { lease } of waiting) {
      lease.state = 'reporting';
      connection.report(lease, { case: 'release', value: {} });
    }
    waiting = [];
    if (!(await finishesWithin(slots.idle(), timeoutMs))) {
      const message = `the worker stopped before the handler finished (waited ${timeoutMs} ms)`;
      for (const lease of leases.all().filter((l) => l.state === 'running')) {
        lease.abort('worker_stopped', message);
        lease.state = 'reporting';
        connection.report(lease, failure(message, { name: 'WorkerStopped' }, true));
      }
    }
    await connection.close(finishesWithin(connection.allAnswered(), ANSWER_WAIT_MS).then(() => undefined));
    client.close();
  }

  return {
    id: settings.workerId,
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
