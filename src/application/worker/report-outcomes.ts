import type { Execution, ExecutionError } from '../../domain/execution/execution.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { IdGenerator, Random } from '../ports/ids.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { finishAttempts, type AttemptOutcome } from '../engine/finish-attempts.js';
import { wakeWorkersFor } from '../engine/execution-events.js';

export interface ReportedOutcome {
  readonly executionId: string;
  readonly leaseToken: string;
  readonly outcome: Extract<AttemptOutcome, { kind: 'succeeded' }> | { readonly kind: 'failed'; readonly error: ExecutionError };
}

export type OutcomeResult =
  | { readonly executionId: string; readonly accepted: true; readonly execution: Execution; readonly retry: Execution | undefined }
  | { readonly executionId: string; readonly accepted: false; readonly notFound: boolean; readonly reason: string };

/**
 * CompleteExecution, FailExecution and ReportOutcomes: a worker's outcomes, many per
 * transaction. Each is fenced by its lease token; one that is refused (lease lost, execution
 * cancelled or timed out) changes nothing and says why.
 */
export class ReportOutcomes {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deps: { ids: IdGenerator; random: Random },
    private readonly wakeUps: WakeUps,
    private readonly observer: EngineObserver = NO_OBSERVER,
  ) {}

  async execute(outcomes: readonly ReportedOutcome[]): Promise<OutcomeResult[]> {
    const now = this.clock.now();
    const { finished, retries, current } = await this.store.transaction(async (tx) => {
      const held = new Map((await tx.executions.lockLeased(outcomes.map((o) => ({ id: o.executionId, leaseToken: o.leaseToken })))).map((e) => [e.id, e]));
      const ends = outcomes.flatMap((o) => {
        const execution = held.get(o.executionId);
        return execution ? [{ execution, outcome: o.outcome }] : [];
      });
      const done = await finishAttempts(tx, ends, now, this.deps);
      const accepted = new Set(done.finished.map((e) => e.id));
      const refusedIds = outcomes.map((o) => o.executionId).filter((id) => !accepted.has(id));
      const current = new Map((await tx.executions.getMany(refusedIds)).map((e) => [e.id, e]));
      return { ...done, current };
    });
    wakeWorkersFor(this.wakeUps, retries);
    this.observer.finished(finished);
    this.observer.queued(retries);
    const finishedById = new Map(finished.map((e) => [e.id, e]));
    const retryByOccurrence = new Map<string, Execution>();
    for (const retry of retries) if (!retryByOccurrence.has(occurrenceKey(retry))) retryByOccurrence.set(occurrenceKey(retry), retry);
    return outcomes.map((o) => {
      const execution = finishedById.get(o.executionId);
      if (execution) return { executionId: o.executionId, accepted: true, execution, retry: retryByOccurrence.get(occurrenceKey(execution)) };
      const stored = current.get(o.executionId);
      return { executionId: o.executionId, accepted: false, notFound: stored === undefined, reason: refusal(stored) };
    });
  }
}

const occurrenceKey = (execution: Execution) => `${execution.jobId}|${execution.occurrenceAt.getTime()}`;

function refusal(execution: Execution | undefined): string {
  if (!execution) return 'no such execution';
  if (execution.status === 'running') return 'the lease token does not match: this worker no longer holds the execution';
  if (execution.status === 'queued') return 'the execution is not running (it was never acquired under this lease)';
  return `the execution already ended as ${execution.status}; the outcome was not recorded`;
}
