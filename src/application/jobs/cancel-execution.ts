import { DomainError } from '../../domain/errors.js';
import { isFinished } from '../../domain/execution/execution-status.js';
import type { Execution } from '../../domain/execution/execution.js';
import { finishAttempts, type OutcomeDeps } from '../engine/finish-attempts.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';

/**
 * CancelExecution: ends one queued or running execution as cancelled (never as failed) and
 * settles its occurrence; the job keeps its schedule. A worker holding it learns of the cancel
 * from its next heartbeat, whichever replica it talks to, and its outcome is then refused.
 */
export class CancelExecution {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deps: OutcomeDeps,
    private readonly wakeUps: WakeUps,
    private readonly observer: EngineObserver = NO_OBSERVER,
  ) {}

  async execute(id: string, reason: string): Promise<Execution> {
    const now = this.clock.now();
    const { cancelled, webhookDeliveries } = await this.store.transaction(async (tx) => {
      const [execution] = await tx.executions.lock([id]);
      if (!execution) throw DomainError.notFound(`execution ${id} does not exist`);
      if (isFinished(execution.status)) throw DomainError.illegalTransition(`cannot cancel execution ${id}: it already ended as ${execution.status}`);
      const why = reason ? `cancelled by an operator: ${reason}` : 'cancelled by an operator';
      const { finished, webhookDeliveries } = await finishAttempts(tx, [{ execution, outcome: { kind: 'cancelled', reason: why } }], now, this.deps);
      const [cancelled] = finished;
      if (!cancelled) throw DomainError.conflict(`execution ${id} changed concurrently; retry`);
      return { cancelled, webhookDeliveries };
    });
    this.observer.finished([cancelled]);
    if (webhookDeliveries > 0) this.wakeUps.deliveriesQueued();
    if (cancelled.startedAt !== undefined) this.wakeUps.leasesChanged();
    return cancelled;
  }
}
