import type { DomainErrorKind } from '../../domain/errors.js';
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
  | { readonly executionId: string; readonly accepted: false; readonly refusal: Refusal; readonly reason: string };

/** Why an outcome was not recorded, as the error kind its single-outcome RPC would answer. */
export type Refusal = Extract<DomainErrorKind, 'NotFound' | 'IllegalTransition' | 'InvalidArgument'>;

/**
 * CompleteExecution, FailExecution and ReportOutcomes: a worker's outcomes, many per
 * transaction. Each is fenced by its own lease token; one that is refused (lease lost, execution
 * cancelled or timed out) changes nothing and says why. An execution named again in the same
 * batch is refused as such: only its first outcome is considered, whatever its token.
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
    const firstIndex = new Map<string, number>();
    outcomes.forEach((o, i) => firstIndex.has(o.executionId) || firstIndex.set(o.executionId, i));
    const considered = outcomes.filter((o, i) => firstIndex.get(o.executionId) === i);
    const { finished, retries, current } = await this.store.transaction(async (tx) => {
      const held = await tx.executions.lockLeased(considered.map((o) => ({ id: o.executionId, leaseToken: o.leaseToken })));
      const heldByLease = new Map(held.map((e) => [`${e.id}|${e.leaseToken}`, e]));
      const ends = considered.flatMap((o) => {
        const execution = heldByLease.get(`${o.executionId}|${o.leaseToken}`);
        return execution ? [{ execution, outcome: o.outcome }] : [];
      });
      const done = await finishAttempts(tx, ends, now, this.deps);
      const accepted = new Set(done.finished.map((e) => e.id));
      const refusedIds = considered.map((o) => o.executionId).filter((id) => !accepted.has(id));
      const current = new Map((await tx.executions.getMany(refusedIds)).map((e) => [e.id, e]));
      return { ...done, current };
    });
    wakeWorkersFor(this.wakeUps, retries);
    this.observer.finished(finished);
    this.observer.queued(retries);
    const finishedById = new Map(finished.map((e) => [e.id, e]));
    const retryByOccurrence = new Map<string, Execution>();
    for (const retry of retries) if (!retryByOccurrence.has(occurrenceKey(retry))) retryByOccurrence.set(occurrenceKey(retry), retry);
    return outcomes.map((o, i): OutcomeResult => {
      const first = firstIndex.get(o.executionId) as number;
      if (first !== i) return { executionId: o.executionId, accepted: false, refusal: 'InvalidArgument', reason: `outcome ${first} of this request already reports this execution; only the first is considered` };
      const execution = finishedById.get(o.executionId);
      if (execution) return { executionId: o.executionId, accepted: true, execution, retry: retryByOccurrence.get(occurrenceKey(execution)) };
      const stored = current.get(o.executionId);
      return { executionId: o.executionId, accepted: false, refusal: stored === undefined ? 'NotFound' : 'IllegalTransition', reason: refusal(stored) };
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
