import { satisfies } from '../../domain/dependency/dependency.js';
import { DomainError } from '../../domain/errors.js';
import { queuedExecution, type Execution } from '../../domain/execution/execution.js';
import { fireFromUpstream, placeOccurrence, type FiredOccurrence, type OccurrenceOutcome } from '../../domain/job/job-operations.js';
import type { Job } from '../../domain/job/job.js';
import type { DependencyMark, StoredDependency } from '../ports/dependency-store.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Transaction } from '../ports/store.js';
import { eventOf } from '../engine/execution-events.js';

/** An upstream occurrence that just ended, in the transaction that recorded it. */
export interface SettledOccurrence {
  readonly job: Pick<Job, 'id' | 'hasDownstream'>;
  /** The execution whose outcome ended the occurrence. */
  readonly executionId: string;
  readonly outcome: OccurrenceOutcome;
}

/**
 * Fires the downstream jobs whose upstream jobs have now all ended an occurrence as their
 * conditions ask, in the transaction that recorded the last of those outcomes: the fire commits
 * with the outcome or not at all, so a crash never loses or repeats it. Each downstream job is
 * locked before its edges are read and written, so two replicas recording two upstreams of one
 * job at once are serialised on it and exactly one of them fires it.
 *
 * Jobs without downstream jobs (has_downstream unset on the row already locked) cost nothing.
 * Returns the executions queued.
 */
export async function fireDownstream(tx: Transaction, settled: readonly SettledOccurrence[], now: Date, ids: IdGenerator): Promise<Execution[]> {
  const relevant = settled.filter((s) => s.job.hasDownstream && s.outcome !== 'cancelled');
  if (relevant.length === 0) return [];
  const byUpstream = new Map<string, SettledOccurrence[]>();
  for (const s of relevant) byUpstream.set(s.job.id, [...(byUpstream.get(s.job.id) ?? []), s]);
  const met = (edge: StoredDependency) => byUpstream.get(edge.upstreamId)?.findLast((s) => satisfies(edge.condition, s.outcome))?.executionId;
  const candidates = (await tx.dependencies.downstreamOf([...byUpstream.keys()])).filter((edge) => met(edge) !== undefined);
  if (candidates.length === 0) return [];
  const jobs = await tx.jobs.lock(candidates.map((edge) => edge.downstreamId));
  // Read again under the downstream jobs' locks: the edges as they are now.
  const edges = await tx.dependencies.upstreamOf(jobs.map((job) => job.id));
  const marks: DependencyMark[] = [];
  const changes: { job: Job; expectedVersion: number; scope: 'state' }[] = [];
  const fired: Execution[] = [];
  for (const job of jobs) {
    if (job.state === 'cancelled') continue;
    const mine = edges.filter((edge) => edge.downstreamId === job.id);
    const current = mine.map((edge) => ({ edge, by: met(edge) ?? edge.satisfiedBy }));
    const complete = current.length > 0 && current.every(({ by }) => by !== undefined);
    if (complete && job.state !== 'paused') {
      const started = fireFromUpstream(job, now);
      const upstreamExecutionIds = current.map(({ by }) => by as string);
      fired.push(
        queuedExecution(started.job, { id: ids.newId(), number: started.job.executionCount, occurrenceAt: started.occurrenceAt, attempt: 1, trigger: 'upstream', ...inWindows(job, now), upstreamExecutionIds }, now),
      );
      changes.push({ job: started.job, expectedVersion: job.version, scope: 'state' });
      for (const { edge } of current) if (edge.satisfiedBy !== undefined) marks.push({ downstreamId: job.id, upstreamId: edge.upstreamId, satisfiedBy: undefined });
    } else {
      // Not all there yet, or paused: keep what came, for the next upstream outcome or ResumeJob.
      for (const { edge, by } of current) if (by !== edge.satisfiedBy) marks.push({ downstreamId: job.id, upstreamId: edge.upstreamId, satisfiedBy: by });
    }
  }
  const [written] = await Promise.all([tx.jobs.update(changes), tx.dependencies.mark(marks, now), tx.executions.insert(fired), tx.events.append(fired.map((e) => eventOf(e, now)))]);
  if (written.size !== changes.length) throw DomainError.conflict('a downstream job changed while its upstream outcome was recorded; retry');
  return fired;
}

/**
 * ResumeJob of a job with upstream jobs, after the domain resumed it, in the same transaction:
 * outcomes that completed its upstreams while it was paused fire it once now, unless its
 * catch-up policy is SKIP, which drops them (it then waits for new ones).
 */
export async function resumeDownstream(tx: Transaction, job: Job, now: Date, ids: IdGenerator): Promise<{ job: Job; execution?: Execution }> {
  if (job.dependsOn.length === 0) return { job };
  const edges = await tx.dependencies.upstreamOf([job.id]);
  const recorded = edges.filter((edge) => edge.satisfiedBy !== undefined);
  const clear = recorded.map((edge) => ({ downstreamId: job.id, upstreamId: edge.upstreamId, satisfiedBy: undefined }));
  if (job.catchUpPolicy === 'skip' || recorded.length < edges.length || edges.length === 0) {
    if (job.catchUpPolicy === 'skip') await tx.dependencies.mark(clear, now);
    return { job };
  }
  const started = fireFromUpstream(job, now);
  const execution = queuedExecution(
    started.job,
    { id: ids.newId(), number: started.job.executionCount, occurrenceAt: started.occurrenceAt, attempt: 1, trigger: 'upstream', ...inWindows(job, now), upstreamExecutionIds: edges.map((e) => e.satisfiedBy as string) },
    now,
  );
  await Promise.all([tx.dependencies.mark(clear, now), tx.executions.insert([execution]), tx.events.append([eventOf(execution, now)])]);
  return { job: started.job, execution };
}

/** An upstream trigger honours the job's windows: deferred to the next opening, never skipped (that would lose the upstream outcomes). */
function inWindows(job: Job, now: Date): { scheduledAt: Date; windowClosesAt: Date | undefined } {
  const placed = placeOccurrence(job, now, now, false) as FiredOccurrence;
  return { scheduledAt: placed.scheduledAt, windowClosesAt: placed.windowClosesAt };
}
