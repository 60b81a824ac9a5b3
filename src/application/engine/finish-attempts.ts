import { DomainError } from '../../domain/errors.js';
import { cancelExecution, failExecution, succeedExecution } from '../../domain/execution/execution-operations.js';
import { queuedExecution, type Execution, type ExecutionError } from '../../domain/execution/execution.js';
import { placeOccurrence, recordAttemptFailure, settleOccurrence, type FiredOccurrence, type OccurrenceOutcome } from '../../domain/job/job-operations.js';
import { fireDownstream, type SettledOccurrence } from '../dependencies/fire-downstream.js';
import type { JobWithoutPayload } from '../../domain/job/job.js';
import type { JsonObject } from '../../domain/json.js';
import { decideRetry } from '../../domain/retry/retry-policy.js';
import type { IdGenerator, Random } from '../ports/ids.js';
import type { Transaction } from '../ports/store.js';
import { eventOf } from './execution-events.js';
import { enqueueOutcomeDeliveries } from '../webhooks/outcome-deliveries.js';
import type { SubscriptionRouter } from '../webhooks/subscription-router.js';

/** What ending attempts needs besides the transaction: ids, the retry jitter, and this replica's webhook subscriptions (absent: none). */
export interface OutcomeDeps {
  readonly ids: IdGenerator;
  readonly random: Random;
  readonly webhooks?: SubscriptionRouter;
}

export type AttemptOutcome =
  | { readonly kind: 'succeeded'; readonly result: JsonObject | undefined }
  | { readonly kind: 'failed' | 'timed_out' | 'lost'; readonly error: ExecutionError }
  | { readonly kind: 'cancelled'; readonly reason: string };

export interface AttemptEnd {
  /** The execution as read (and locked) in this transaction. */
  readonly execution: Execution;
  readonly outcome: AttemptOutcome;
}

export interface FinishedAttempts {
  /** The executions that ended, as stored now. */
  readonly finished: Execution[];
  /** Attempts queued by the retry policy. */
  readonly retries: Execution[];
  /** First attempts of downstream jobs whose upstream jobs these outcomes completed. */
  readonly triggered: Execution[];
  /** Webhook outbox rows written: after the commit, the caller wakes the delivery loops when any were. */
  readonly webhookDeliveries: number;
}

/**
 * Ends attempts and applies what follows, inside the caller's transaction: the execution's
 * terminal status (compare-and-set on the status and lease token it was read with, so a worker
 * that lost its lease changes nothing), then for its job either a retry (a new execution after
 * the backoff) or the settling of the occurrence. Workers' outcomes, the reaper's rescues and
 * operators' cancels all end attempts through here, so the rules live in one place.
 */
export async function finishAttempts(tx: Transaction, ends: readonly AttemptEnd[], now: Date, deps: OutcomeDeps): Promise<FinishedAttempts> {
  const ended = ends.map((end) => ({ end, next: endExecution(end, now) }));
  const written = await tx.executions.update(
    ended.map(({ end, next }) => ({ execution: next, expectedStatus: end.execution.status, expectedLeaseToken: end.execution.leaseToken })),
  );
  const won = ended.filter(({ next }) => written.has(next.id));
  // Settling never reads the payload: a large one is not read and parsed again per outcome.
  const jobs = new Map((await tx.jobs.lockWithoutPayload(won.map(({ next }) => next.jobId))).map((job) => [job.id, job]));
  const versions = new Map([...jobs.values()].map((job) => [job.id, job.version]));
  const retries: Execution[] = [];
  const settled: SettledOccurrence[] = [];
  for (const { end, next } of won) {
    const job = jobs.get(next.jobId);
    // A deleted or cancelled job has nothing left to settle: its executions end on their own.
    if (!job || job.state === 'cancelled') continue;
    const { job: updated, retry, settledAs } = applyToJob(job, end, now, deps);
    jobs.set(job.id, updated);
    if (retry) retries.push(retry);
    if (settledAs && job.hasDownstream) settled.push({ job, executionId: next.id, outcome: settledAs });
  }
  // Settling changes the job's state, never its definition: a state-scoped write.
  const changes = [...jobs.values()]
    .filter((job) => job.version !== versions.get(job.id))
    .map((job) => ({ job, expectedVersion: versions.get(job.id) as number, scope: 'state' as const }));
  const finished = won.map(({ next }) => next);
  // Issued together: only the CAS count is needed, and it is checked once all are done.
  const [jobsWritten] = await Promise.all([tx.jobs.update(changes), tx.executions.insert(retries), tx.events.append([...finished, ...retries].map((execution) => eventOf(execution, now)))]);
  if (jobsWritten.size !== changes.length) throw DomainError.conflict('a job changed while its attempts were being settled; retry');
  // After the settled jobs are written: a downstream job may be one of them, and is read again.
  const triggered = settled.length === 0 ? NONE : await fireDownstream(tx, settled, now, deps.ids);
  // In the outcome's transaction (the outbox): committed with it or not at all.
  let webhookDeliveries = 0;
  if (deps.webhooks?.active) {
    const retried = new Set(retries.map((retry) => `${retry.jobId}/${retry.occurrenceAt.getTime()}`));
    webhookDeliveries = await enqueueOutcomeDeliveries(tx, deps.webhooks, finished.map((execution) => ({ execution, retried: retried.has(`${execution.jobId}/${execution.occurrenceAt.getTime()}`) })), now, deps.ids);
  }
  return { finished, retries, triggered, webhookDeliveries };
}

function endExecution({ execution, outcome }: AttemptEnd, now: Date): Execution {
  switch (outcome.kind) {
    case 'succeeded':
      return succeedExecution(execution, now, outcome.result);
    case 'cancelled':
      return cancelExecution(execution, now, outcome.reason);
    default:
      return failExecution(execution, outcome.kind, outcome.error, now);
  }
}

const NONE: Execution[] = [];

function applyToJob(job: JobWithoutPayload, { execution, outcome }: AttemptEnd, now: Date, deps: OutcomeDeps): { job: JobWithoutPayload; retry?: Execution; settledAs?: OccurrenceOutcome } {
  if (outcome.kind === 'succeeded') return { job: settleOccurrence(job, 'succeeded', now), settledAs: 'succeeded' };
  if (outcome.kind === 'cancelled') return { job: settleOccurrence(job, 'cancelled', now, outcome.reason), settledAs: 'cancelled' };
  const decision = decideRetry(job.retryPolicy, execution.attempt, outcome.error.retryable, deps.random);
  if (!decision.retry) return { job: settleOccurrence(job, 'failed', now, outcome.error.message), settledAs: 'failed' };
  const updated = recordAttemptFailure(job, now, outcome.error.message);
  // Every automatic retry waits for a window (deferred, never skipped): only an operator's own
  // RunJob or RetryJob runs outside the windows.
  const placed = placeOccurrence(job, new Date(now.getTime() + decision.delayMs), now, false) as FiredOccurrence;
  const retry = queuedExecution(
    updated,
    {
      id: deps.ids.newId(),
      number: updated.executionCount,
      occurrenceAt: execution.occurrenceAt,
      attempt: decision.nextAttempt,
      trigger: 'retry',
      scheduledAt: placed.scheduledAt,
      windowClosesAt: placed.windowClosesAt,
      // A retry is another attempt at the same occurrence: it stays in that occurrence's trace.
      ...(execution.traceContext ? { traceContext: execution.traceContext } : {}),
      upstreamExecutionIds: execution.upstreamExecutionIds,
    },
    now,
  );
  return { job: updated, retry };
}
