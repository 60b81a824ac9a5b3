import type { Execution } from '../../domain/execution/execution.js';
import type { JsonObject } from '../../domain/json.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export interface LeaseBeat {
  readonly executionId: string;
  readonly leaseToken: string;
  readonly progress: JsonObject | undefined;
}

export interface LeaseStatus {
  readonly executionId: string;
  readonly held: boolean;
  readonly leaseExpiresAt: Date | undefined;
  /** The worker should abort: the execution was cancelled or timed out. */
  readonly cancelRequested: boolean;
  readonly reason: string;
}

/**
 * Heartbeat: extends every lease still held (fenced by its token) and tells the worker, lease
 * by lease, what it must know: whether it still holds it and whether to abort. This is how a
 * cancel or a timeout decided on any replica reaches the worker holding the execution.
 */
export class Heartbeat {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async execute(leases: readonly LeaseBeat[]): Promise<LeaseStatus[]> {
    const now = this.clock.now();
    return this.store.transaction(async (tx) => {
      const held = new Map(
        (await tx.executions.heartbeat(leases.map((l) => ({ id: l.executionId, leaseToken: l.leaseToken, progress: l.progress })), now)).map((e) => [e.id, e]),
      );
      const missing = leases.filter((lease) => !held.has(lease.executionId)).map((lease) => lease.executionId);
      const others = new Map((await tx.executions.getMany(missing)).map((e) => [e.id, e]));
      return leases.map((lease) => {
        const execution = held.get(lease.executionId);
        return execution
          ? { executionId: lease.executionId, held: true, leaseExpiresAt: execution.leaseExpiresAt, cancelRequested: false, reason: '' }
          : lost(lease, others.get(lease.executionId));
      });
      // Not waited for on disk: an extension lost in a database crash only brings the lease's
      // expiry forward, to what it was (TransactionOptions.durable).
    }, { durable: false });
  }
}

function lost(lease: LeaseBeat, execution: Execution | undefined): LeaseStatus {
  const base = { executionId: lease.executionId, held: false, leaseExpiresAt: undefined };
  if (!execution) return { ...base, cancelRequested: true, reason: 'the execution no longer exists (its job was deleted)' };
  switch (execution.status) {
    case 'cancelled':
      return { ...base, cancelRequested: true, reason: `cancelled: ${execution.error?.message ?? 'by an operator'}` };
    case 'timed_out':
      return { ...base, cancelRequested: true, reason: execution.error?.message ?? 'the attempt timed out' };
    // Not a cancellation (see LeaseStatus.cancel_requested): held = false already says stop.
    case 'lost':
      return { ...base, cancelRequested: false, reason: 'the lease expired before this heartbeat; the attempt was handed to the retry policy' };
    case 'running':
      return { ...base, cancelRequested: false, reason: 'the execution is held under another lease' };
    default:
      return { ...base, cancelRequested: false, reason: `the execution already ended as ${execution.status}` };
  }
}
