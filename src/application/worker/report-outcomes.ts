import { NO_QUOTA_TYPES, type QuotaTypesView } from '../quotas/quota-types.js';
import type { DomainErrorKind } from '../../domain/errors.js';
import { releaseExecution } from '../../domain/execution/execution-operations.js';
import type { Execution, ExecutionError } from '../../domain/execution/execution.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { Store, Transaction } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { finishAttempts, type AttemptOutcome, type OutcomeDeps } from '../engine/finish-attempts.js';
import { eventOf, wakeWorkersFor } from '../engine/execution-events.js';

export interface ReportedOutcome {
  readonly executionId: string;
  readonly leaseToken: string;
  readonly outcome:
    | Extract<AttemptOutcome, { kind: 'succeeded' }>
    | { readonly kind: 'failed'; readonly error: ExecutionError }
    /** Given back unstarted: queued again, the same attempt. */
    | { readonly kind: 'released' };
}

export type OutcomeResult =
  | { readonly executionId: string; readonly accepted: true; readonly execution: Execution; readonly retry: Execution | undefined }
  | { readonly executionId: string; readonly accepted: false; readonly refusal: Refusal; readonly reason: string };

/** Why an outcome was not recorded, as the error kind its single-outcome RPC would answer. */
export type Refusal = Extract<DomainErrorKind, 'NotFound' | 'IllegalTransition' | 'InvalidArgument'>;

/** What recording a batch of outcomes did, for the answers and for what follows the commit. */
export interface RecordedOutcomes {
  /** One per reported outcome, in order. */
  readonly results: OutcomeResult[];
  /** Executions that ended. */
  readonly finished: Execution[];
  /** Attempts queued by the retry policy. */
  readonly retries: Execution[];
  /** Executions given back, queued again. */
  readonly released: Execution[];
  /** First attempts of downstream jobs these outcomes fired. */
  readonly triggered: Execution[];
  /** Webhook outbox rows written with these outcomes. */
  readonly webhookDeliveries: number;
}

/**
 * A worker's outcomes, inside the caller's transaction. Each is fenced by its own lease token;
 * one that is refused (lease lost, execution cancelled or timed out) changes nothing and says
 * why. An execution named again in the same batch is refused as such: only its first outcome is
 * considered, whatever its token. The unary RPCs and the work sessions record through here.
 */
export async function recordOutcomes(tx: Transaction, outcomes: readonly ReportedOutcome[], now: Date, deps: OutcomeDeps): Promise<RecordedOutcomes> {
  const firstIndex = new Map<string, number>();
  outcomes.forEach((o, i) => firstIndex.has(o.executionId) || firstIndex.set(o.executionId, i));
  const considered = outcomes.filter((o, i) => firstIndex.get(o.executionId) === i);
  const held = await tx.executions.lockLeased(considered.map((o) => ({ id: o.executionId, leaseToken: o.leaseToken })));
  const heldByLease = new Map(held.map((e) => [`${e.id}|${e.leaseToken}`, e]));
  const ends = [];
  const releases = [];
  for (const o of considered) {
    const execution = heldByLease.get(`${o.executionId}|${o.leaseToken}`);
    if (!execution) continue;
    if (o.outcome.kind === 'released') releases.push({ execution, next: releaseExecution(execution) });
    else ends.push({ execution, outcome: o.outcome });
  }
  const done = await finishAttempts(tx, ends, now, deps);
  const releasedIds = await tx.executions.update(releases.map(({ execution, next }) => ({ execution: next, expectedStatus: execution.status, expectedLeaseToken: execution.leaseToken })));
  const released = releases.map(({ next }) => next).filter((e) => releasedIds.has(e.id));
  await tx.events.append(released.map((execution) => eventOf(execution, now)));

  const accepted = new Map([...done.finished, ...released].map((e) => [e.id, e]));
  const refusedIds = considered.map((o) => o.executionId).filter((id) => !accepted.has(id));
  const current = new Map((await tx.executions.getMany(refusedIds)).map((e) => [e.id, e]));
  const retryByOccurrence = new Map<string, Execution>();
  for (const retry of done.retries) if (!retryByOccurrence.has(occurrenceKey(retry))) retryByOccurrence.set(occurrenceKey(retry), retry);
  // Recorded before and sent again, its answer lost: answered as then. A failure names the retry
  // its first report queued (the attempt after it), as it is now.
  const repeats = new Map(considered.flatMap((o) => {
    const stored = current.get(o.executionId);
    return stored && isRepeat(stored, o) ? [[o.executionId, stored] as const] : [];
  }));
  const failed = [...repeats.values()].filter((e) => e.status === 'failed');
  const retryAfter = new Map((await tx.executions.nextAttempts(failed)).map((e) => [attemptKey(e, e.attempt - 1), e]));
  const results = outcomes.map((o, i): OutcomeResult => {
    const first = firstIndex.get(o.executionId) as number;
    if (first !== i) return { executionId: o.executionId, accepted: false, refusal: 'InvalidArgument', reason: `outcome ${first} of this request already reports this execution; only the first is considered` };
    const execution = accepted.get(o.executionId);
    if (execution) return { executionId: o.executionId, accepted: true, execution, retry: execution.status === 'queued' ? undefined : retryByOccurrence.get(occurrenceKey(execution)) };
    const repeated = repeats.get(o.executionId);
    if (repeated) return { executionId: o.executionId, accepted: true, execution: repeated, retry: retryAfter.get(attemptKey(repeated, repeated.attempt)) };
    const stored = current.get(o.executionId);
    return { executionId: o.executionId, accepted: false, refusal: stored === undefined ? 'NotFound' : 'IllegalTransition', reason: refusal(stored) };
  });
  return { results, finished: done.finished, retries: done.retries, released, triggered: done.triggered, webhookDeliveries: done.webhookDeliveries };
}

/** After the commit: wake workers for what was queued and the delivery loops for its webhook events, and tell the observers. */
export function afterOutcomes(recorded: RecordedOutcomes, wakeUps: WakeUps, observer: EngineObserver, quotaTypes: Pick<QuotaTypesView, 'isLimited'> = NO_QUOTA_TYPES): void {
  wakeWorkersFor(wakeUps, [...recorded.retries, ...recorded.released, ...recorded.triggered]);
  if (recorded.webhookDeliveries > 0) wakeUps.deliveriesQueued();
  // A finished execution of a quota'd type makes room for one that waits.
  const freed = [...new Set(recorded.finished.map((e) => e.jobType).filter((type) => quotaTypes.isLimited(type)))];
  if (freed.length > 0) wakeUps.executionsQueued(freed);
  observer.finished(recorded.finished);
  observer.queued(recorded.triggered.length === 0 ? recorded.retries : [...recorded.retries, ...recorded.triggered]);
}

/** CompleteExecution, FailExecution and ReportOutcomes: one transaction per call. */
export class ReportOutcomes {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deps: OutcomeDeps,
    private readonly wakeUps: WakeUps,
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly quotaTypes: Pick<QuotaTypesView, 'isLimited'> = NO_QUOTA_TYPES,
  ) {}

  async execute(outcomes: readonly ReportedOutcome[]): Promise<OutcomeResult[]> {
    const now = this.clock.now();
    const recorded = await this.store.transaction((tx) => recordOutcomes(tx, outcomes, now, this.deps));
    afterOutcomes(recorded, this.wakeUps, this.observer, this.quotaTypes);
    return recorded.results;
  }
}

const occurrenceKey = (execution: Execution) => `${execution.jobId}|${execution.occurrenceAt.getTime()}`;
const attemptKey = (execution: Execution, attempt: number) => `${occurrenceKey(execution)}|${attempt}`;

/**
 * The outcome this execution ended with, reported again under the lease it ended under. Only the
 * same kind: a success reported under a lease whose attempt was cancelled, timed out or failed is
 * still refused, since that outcome was not what was recorded.
 */
function isRepeat(stored: Execution, reported: ReportedOutcome): boolean {
  return stored.endedLeaseToken === reported.leaseToken && stored.status === reported.outcome.kind;
}

function refusal(execution: Execution | undefined): string {
  if (!execution) return 'no such execution';
  if (execution.status === 'running') return 'the lease token does not match: this worker no longer holds the execution';
  if (execution.status === 'queued') return 'the execution is not running (it was never acquired under this lease)';
  return `the execution already ended as ${execution.status}; the outcome was not recorded`;
}
