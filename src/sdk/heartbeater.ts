import type { LeaseStatus } from '../gen/jobscheduler/v1/worker_service_pb.js';
import type { WorkerClient } from '../adapters/grpc/client/index.js';
import { describeCallError } from './backoff.js';
import type { Lease, LeaseRegistry } from './leases.js';
import type { WorkerLogger } from './logger.js';

const MAX_LEASES_PER_CALL = 1000;

export interface HeartbeatSettings {
  readonly workerId: string;
  readonly leaseDurationMs: number;
}

/**
 * Every third of the lease duration, one Heartbeat call (per 1,000 leases) extends every lease
 * the worker holds and carries the latest progress of each. The answer is how cancellation
 * reaches a handler: a lease the server no longer honours, or whose execution was cancelled or
 * timed out, has its signal aborted. A lease that no heartbeat extended in time is given up
 * locally too, so a worker cut off from the server stops work the server will hand to another.
 */
export class Heartbeater {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(
    private readonly client: WorkerClient,
    private readonly leases: LeaseRegistry,
    private readonly settings: HeartbeatSettings,
    private readonly log: WorkerLogger,
  ) {
    this.intervalMs = Math.floor(settings.leaseDurationMs / 3);
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.beating = this.beat()
        .catch((error: unknown) => this.log('error', 'unexpected error while heartbeating', { error: String(error) }))
        .finally(() => {
          this.beating = undefined;
          this.start();
        });
    }, this.intervalMs);
  }

  /** Stops the schedule and waits for a heartbeat in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.beating;
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    for (const lease of this.leases.all()) {
      if (lease.state === 'running' && lease.expiresAt <= now) this.drop(lease, false, 'no heartbeat reached the server before the lease expired');
    }
    const held = this.leases.all();
    const calls: Promise<void>[] = [];
    for (let i = 0; i < held.length; i += MAX_LEASES_PER_CALL) calls.push(this.send(held.slice(i, i + MAX_LEASES_PER_CALL), now));
    await Promise.all(calls);
  }

  private async send(batch: Lease[], sentAt: number): Promise<void> {
    const versions = batch.map((lease) => lease.progressVersion);
    const leases = batch.map((lease) => ({
      executionId: lease.executionId,
      leaseToken: lease.leaseToken,
      ...(lease.progressVersion !== lease.sentProgressVersion && lease.progress ? { progress: lease.progress } : {}),
    }));
    let statuses: LeaseStatus[];
    try {
      statuses = (await this.client.heartbeat({ workerId: this.settings.workerId, leases }, { deadline: this.intervalMs })).leases;
    } catch (error) {
      this.log('warn', 'heartbeat failed; retrying at the next interval', { ...describeCallError(error), leases: batch.length });
      return;
    }
    const byId = new Map(statuses.map((status) => [status.executionId, status]));
    batch.forEach((lease, i) => {
      const status = byId.get(lease.executionId);
      if (status?.held && !status.cancelRequested) {
        lease.expiresAt = sentAt + this.settings.leaseDurationMs;
        lease.sentProgressVersion = versions[i] ?? lease.sentProgressVersion;
      } else if (lease.state === 'running') {
        this.drop(lease, status?.cancelRequested ?? false, status?.reason || 'the server no longer honours the lease');
      }
    });
  }

  private drop(lease: Lease, cancelled: boolean, reason: string): void {
    this.log(cancelled ? 'info' : 'warn', cancelled ? 'execution cancelled; aborting its handler' : 'lease lost; aborting the handler', { executionId: lease.executionId, reason });
    lease.abort(cancelled ? 'cancelled' : 'lease_lost', reason);
    this.leases.remove(lease.executionId);
  }
}
