import type { Execution } from '../../domain/execution/execution.js';
import type { Clock } from '../ports/clock.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { wakeWorkersFor } from './execution-events.js';

/**
 * Wakes workers (on every replica, through WakeUps) at the slots of executions fired ahead, so
 * they are claimed on time rather than at the next poll. Only slots within the lookahead get an
 * alarm: an execution deferred to a window opening hours away is found by polling, like a
 * retry's backoff. One alarm per slot, whatever the number of executions in it.
 */
export class SlotAlarms {
  private readonly pending = new Map<number, Set<string>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly clock: Clock,
    private readonly wakeUps: WakeUps,
  ) {}

  /** Wakes workers now for the executions due by `now`, and at their slots for those due by `until`. */
  wakeWorkers(executions: readonly Execution[], now: Date, until: Date): void {
    wakeWorkersFor(this.wakeUps, executions.filter((execution) => execution.scheduledAt <= now));
    // Counted from the clock, not from `now`: the pass that fired them took a while.
    const current = this.clock.now().getTime();
    for (const { scheduledAt, jobType } of executions) {
      if (scheduledAt <= now || scheduledAt > until || this.stopping.signal.aborted) continue;
      const at = scheduledAt.getTime();
      const types = this.pending.get(at);
      if (types) {
        types.add(jobType);
        continue;
      }
      const first = new Set([jobType]);
      this.pending.set(at, first);
      void this.clock.sleep(at - current, this.stopping.signal).then(() => {
        this.pending.delete(at);
        if (!this.stopping.signal.aborted) this.wakeUps.executionsQueued([...first]);
      });
    }
  }

  stop(): void {
    this.stopping.abort();
    this.pending.clear();
  }
}
