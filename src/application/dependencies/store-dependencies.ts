import { findCycle } from '../../domain/dependency/dependency.js';
import { DomainError } from '../../domain/errors.js';
import type { Job } from '../../domain/job/job.js';
import type { Transaction } from '../ports/store.js';

/**
 * Stores a job's depends_on (CreateJob, UpdateJob), inside the caller's transaction, which holds
 * the job's lock or created it. Every upstream must exist and not be cancelled, and the new edges
 * must not close a cycle. Graph changes are serialised (one advisory lock), so two concurrent
 * changes cannot each pass the cycle check and close a cycle together.
 */
export async function storeDependencies(tx: Transaction, job: Job, field: string, previouslyHad: boolean): Promise<void> {
  if (job.dependsOn.length === 0 && !previouslyHad) return;
  if (job.dependsOn.length > 0) {
    await tx.dependencies.lockGraph();
    const upstreamIds = job.dependsOn.map((d) => d.jobId);
    // Locked, so an upstream cannot be deleted or cancelled before this commits.
    const upstreams = new Map((await tx.jobs.lock(upstreamIds)).map((upstream) => [upstream.id, upstream]));
    job.dependsOn.forEach((d, i) => {
      const upstream = upstreams.get(d.jobId);
      if (!upstream) throw DomainError.invalidArgument(`${field}.depends_on[${i}].job_id ${d.jobId} names no job`);
      if (upstream.state === 'cancelled') throw DomainError.invalidArgument(`${field}.depends_on[${i}].job_id ${d.jobId} names a cancelled job, which never completes again`);
    });
    const cycle = findCycle(job.id, upstreamIds, await tx.dependencies.ancestry(upstreamIds));
    if (cycle) {
      throw DomainError.invalidArgument(`${field}.depends_on would close a cycle: ${cycle.join(' → ')} (each job runs after the next); a job cannot depend on itself, directly or through other jobs`);
    }
  }
  await tx.dependencies.replace(job.id, job.dependsOn);
}
