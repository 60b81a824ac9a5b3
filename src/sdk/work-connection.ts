import type { MessageInitShape } from '@bufbuild/protobuf';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import type { WorkerClient } from '../adapters/grpc/client/index.js';
import type { AcquiredExecution, ExecutionOutcomeSchema, LeaseHeartbeatSchema, LeaseStatus, OutcomeResult, WorkRequestSchema, WorkResponse } from '../gen/jobscheduler/v1/worker_service_pb.js';
import { Backoff, describeCallError, sleep } from './backoff.js';
import type { Lease, LeaseRegistry } from './leases.js';
import type { WorkerLogger } from './logger.js';
import type { Outcome } from './outcome-values.js';

type OutcomeInit = MessageInitShape<typeof ExecutionOutcomeSchema>;
type ProgressInit = MessageInitShape<typeof LeaseHeartbeatSchema>;

/** The most the server takes in one message. */
const MAX_PER_MESSAGE = 1000;
/** Progress of one execution goes out at most this often. */
const PROGRESS_EVERY_MS = 1_000;

export interface ConnectionSettings {
  readonly workerId: string;
  readonly types: readonly string[];
  readonly leaseDurationMs: number;
  /** Executions held at most (it may change): running handlers plus those received and waiting for a slot. */
  readonly capacity: () => number;
}

/** What the connection tells the worker. */
export interface ConnectionEvents {
  /** New executions, to start or keep waiting for a slot. */
  received(executions: readonly AcquiredExecution[]): void;
  /** The server no longer honours these leases. */
  lost(statuses: readonly LeaseStatus[]): void;
  /** An outcome was answered (recorded, or refused with why). */
  answered(result: OutcomeResult): void;
  /** Disconnected for longer than the leases last: every lease held is to be given up. */
  expired(reason: string): void;
}

/**
 * The worker's Work stream. It opens one stream, grants as many executions as the worker can hold
 * (capacity minus what it holds), and sends outcomes, new credits and progress in one message per
 * turn of the event loop. While the stream is open the server extends every lease, so there are no
 * heartbeats. A broken stream is opened again with backoff; the new session adopts the leases the
 * worker still holds and is sent again every outcome not yet answered, so nothing finished is lost.
 * If the connection stays down longer than two thirds of a lease (the server extends every third),
 * the leases are given up locally: the server will hand those executions to someone else.
 */
export class WorkConnection {
  private stream: ReturnType<WorkerClient['work']> | undefined;
  private connected = false;
  private closing = false;
  /** Credits the current session granted that no execution has used yet. */
  private granted = 0;
  private outcomes: OutcomeInit[] = [];
  /** Sent and not answered yet: sent again on a new session. */
  private readonly unanswered = new Map<string, OutcomeInit>();
  private progressDue = new Set<Lease>();
  private flushScheduled = false;
  private progressTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly answeredWaiters: Array<() => void> = [];
  private running: Promise<void> | undefined;
  private readonly stopped = new AbortController();

  constructor(
    private readonly client: WorkerClient,
    private readonly leases: LeaseRegistry,
    private readonly settings: ConnectionSettings,
    private readonly held: () => number,
    private readonly events: ConnectionEvents,
    private readonly log: WorkerLogger,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Grants credits for what the worker can take now (nothing once closing). */
  replenish(): void {
    this.schedule();
  }

  report(lease: Lease, outcome: Outcome | { case: 'release'; value: Record<string, never> }): void {
    const message: OutcomeInit = { executionId: lease.executionId, leaseToken: lease.leaseToken, outcome };
    this.unanswered.set(lease.executionId, message);
    this.outcomes.push(message);
    this.schedule();
  }

  progress(lease: Lease): void {
    this.progressDue.add(lease);
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined;
      this.schedule();
    }, PROGRESS_EVERY_MS);
  }

  /** Resolves once every outcome reported has been answered (or given up with its lease). */
  allAnswered(): Promise<void> {
    return this.unanswered.size === 0 ? Promise.resolve() : new Promise((resolve) => this.answeredWaiters.push(resolve));
  }

  /** No more credits; ends the stream once `drained` resolves, and stops reconnecting. */
  async close(drained: Promise<void>): Promise<void> {
    this.closing = true;
    await drained;
    this.stopped.abort();
    clearTimeout(this.progressTimer);
    clearTimeout(this.expiryTimer);
    this.stream?.end();
    await this.running;
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (!this.connected || !this.stream) return;
    const stream = this.stream;
    // The server takes at most MAX_PER_MESSAGE outstanding credits per session.
    const credits = this.closing ? 0 : Math.max(0, Math.min(this.settings.capacity() - this.held(), MAX_PER_MESSAGE) - this.granted);
    this.granted += credits;
    const progress = this.progressTimer === undefined ? this.takeProgress() : [];
    let first = true;
    do {
      const message = { outcomes: this.outcomes.splice(0, MAX_PER_MESSAGE), progress: progress.splice(0, MAX_PER_MESSAGE), credits: first ? credits : 0 };
      first = false;
      if (message.outcomes.length + message.progress.length + message.credits > 0) await this.send(stream, message);
    } while (this.outcomes.length > 0 || progress.length > 0);
  }

  private takeProgress(): ProgressInit[] {
    const due = [...this.progressDue].filter((lease) => lease.state === 'running' && lease.progress && lease.progressVersion !== lease.sentProgressVersion);
    this.progressDue.clear();
    for (const lease of due) lease.sentProgressVersion = lease.progressVersion;
    return due.map((lease) => ({ executionId: lease.executionId, leaseToken: lease.leaseToken, progress: lease.progress }));
  }

  private async send(stream: NonNullable<typeof this.stream>, message: MessageInitShape<typeof WorkRequestSchema>): Promise<void> {
    try {
      await stream.send(message);
    } catch (error) {
      // The stream is broken; the loop reconnects and sends what is unanswered again.
      this.log('debug', 'could not write to the Work stream', describeCallError(error));
    }
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff(100, 5_000);
    while (!this.stopped.signal.aborted) {
      const openedAt = Date.now();
      const error = await this.session();
      if (this.stopped.signal.aborted) return;
      if (Date.now() - openedAt > 10_000) backoff.reset();
      const delay = backoff.next();
      this.log(error ? 'warn' : 'info', `the Work stream ended; reconnecting in ${delay} ms`, error ? describeCallError(error) : {});
      await sleep(delay, this.stopped.signal);
    }
  }

  /** One stream, from start to end; resolves with its error, if it failed. */
  private async session(): Promise<unknown> {
    const stream = this.client.work();
    this.stream = stream;
    this.granted = 0;
    // What the previous session queued is in `unanswered` and goes out again below.
    this.outcomes = [];
    const held = this.leases.all().map((lease) => ({ executionId: lease.executionId, leaseToken: lease.leaseToken }));
    try {
      await stream.send({ start: { workerId: this.settings.workerId, jobTypes: [...this.settings.types], leaseDuration: durationFromMs(this.settings.leaseDurationMs), held: held.slice(0, MAX_PER_MESSAGE) } });
      this.connected = true;
      clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.outcomes = [...this.unanswered.values()];
      this.schedule();
      for await (const message of stream) this.receive(message);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      this.connected = false;
      this.stream = undefined;
      this.expireLater();
    }
  }

  private receive(message: WorkResponse): void {
    if (message.executions.length > 0) {
      this.granted = Math.max(0, this.granted - message.executions.length);
      this.events.received(message.executions);
    }
    if (message.lost.length > 0) {
      for (const status of message.lost) this.forget(status.executionId);
      this.events.lost(message.lost);
    }
    for (const result of message.results) {
      this.forget(result.executionId);
      this.events.answered(result);
    }
  }

  private forget(executionId: string): void {
    if (!this.unanswered.delete(executionId)) return;
    if (this.unanswered.size === 0) for (const resolve of this.answeredWaiters.splice(0)) resolve();
  }

  /** Leases are good for two thirds of their duration after the last extension could have happened. */
  private expireLater(): void {
    if (this.expiryTimer || this.stopped.signal.aborted) return;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.connected) return;
      for (const id of [...this.unanswered.keys()]) this.forget(id);
      this.events.expired('the connection to the server was lost for longer than the lease lasts');
    }, (this.settings.leaseDurationMs * 2) / 3);
    this.expiryTimer.unref();
  }
}
