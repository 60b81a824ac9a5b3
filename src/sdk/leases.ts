import type { JsonObject } from '@bufbuild/protobuf';
import { ExecutionAbortedError, type AbortKind } from './errors.js';

/**
 * One execution the worker holds: `running` while its handler runs, `reporting` once its
 * outcome is queued (it is still heartbeated until the server answers), `dropped` when the
 * server took it back (cancel, timeout, lost lease) and nothing will be reported.
 */
export class Lease {
  readonly controller = new AbortController();
  state: 'running' | 'reporting' | 'dropped' = 'running';
  progress: JsonObject | undefined;
  /** Bumped by every reportProgress; heartbeats send progress only when it moved. */
  progressVersion = 0;
  sentProgressVersion = 0;

  constructor(
    readonly executionId: string,
    readonly leaseToken: string,
    /** Local time (ms) after which the server no longer honours the lease unless a heartbeat extended it. */
    public expiresAt: number,
  ) {}

  /** Aborts the handler's signal. The server's word (cancel, lost lease) also drops the outcome. */
  abort(kind: AbortKind, message: string): void {
    if (kind !== 'worker_stopped') this.state = 'dropped';
    this.controller.abort(new ExecutionAbortedError(kind, message));
  }
}

/** The leases this worker holds, by execution id. */
export class LeaseRegistry {
  private readonly byId = new Map<string, Lease>();

  add(lease: Lease): void {
    this.byId.set(lease.executionId, lease);
  }

  remove(executionId: string): void {
    this.byId.delete(executionId);
  }

  all(): Lease[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
