import type { Execution } from '../../domain/execution/execution.js';
import type { Job } from '../../domain/job/job.js';
import type { Transaction } from '../ports/store.js';

/**
 * A job and its queued and running executions, locked in the order every transaction takes
 * rows in: executions first, then jobs (outcomes, rescues and cancels of one execution lock the
 * execution they end before its job). Locking the job first deadlocked against them.
 *
 * Only a transaction holding the job's lock adds executions to it (a fire, a run, a retry), so
 * once the job is locked the set is closed; the second read locks any such execution committed
 * between the two statements.
 */
export async function lockJobWithActive(tx: Transaction, jobId: string): Promise<{ job: Job | undefined; active: Execution[] }> {
  const before = await tx.executions.lockActive(jobId);
  const [job] = await tx.jobs.lock([jobId]);
  if (!job) return { job, active: before };
  return { job, active: await tx.executions.lockActive(jobId) };
}
