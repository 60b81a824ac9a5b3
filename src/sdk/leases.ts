import type { JsonObject } from '@bufbuild/protobuf';
import { ExecutionAbortedError, type AbortKind } from './errors.js';

/**
 * One execution the worker holds: `waiting` for a free slot after it arrived, `running` while
 * its handler runs, `reporting` once its outcome is sent (until the server answers), `dropped`
 * when the server took it back (cancel, timeout, lost lease) and nothing will be reported.
 */
export class Lease {
  private controller: AbortController | undefined;
  private abortedWith: ExecutionAbortedError | undefined;
  state: 'waiting' | 'running' | 'reporting' | 'dropped' = 'waiting';
  progress: JsonObject | undefined;
  /** Bumped by every reportProgress; progress is sent only when it moved. */
  progressVersion = 0;
  sentProgressVersion = 0;

  constructor(
    readonly executionId: string,
    readonly leaseToken: string,
  ) {}

  /**
   * The handler's signal, made when first asked for: most handlers never look at it, and an
   * AbortController costs a worker more than the rest of an execution's bookkeeping
   * (docs/performance.md, "The worker's signal"). Asked for after an abort, it is aborted already.
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  /** Aborts the handler's signal. The server's word (cancel, lost lease) also drops the outcome. */
  abort(kind: AbortKind, message: string): void {
    if (kind !== 'worker_stopped') this.state = 'dropped';
    // As AbortController.abort: the first reason stays.
    this.abortedWith ??= new ExecutionAbortedError(kind, message);
    this.controller?.abort(this.abortedWith);
  }
}

/** The leases this worker holds, by execution id. */
export class LeaseRegistry {
  private readonly byId = new Map<string, Lease>();

  add(lease: Lease): void {
    this.byId.set(lease.executionId, lease);
  }

  get(executionId: string): Lease | undefined {
    return this.byId.get(executionId);
  }

  remove(executionId: string): void {
    this.byId.delete(executionId);
  }

  all(): Lease[] {
    return [...this.byId.values()];
  }

  /** Leases that take a place in the worker's capacity: waiting for a slot or running. */
  get occupying(): number {
    let count = 0;
    for (const lease of this.byId.values()) if (lease.state === 'waiting' || lease.state === 'running') count += 1;
    return count;
  }
}
