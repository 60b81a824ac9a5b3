import { DomainError } from '../../domain/errors.js';
import { cancelExecution } from '../../domain/execution/execution-operations.js';
import { eventOf } from '../engine/execution-events.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { lockJobWithActive } from './lock-job-with-active.js';
import type { WakeUps } from '../ports/wake-ups.js';

/**
 * DeleteJob: removes a job and its history. A job with queued or running executions is refused
 * unless forced; forced, those executions are recorded as cancelled in the event log first (a
 * worker holding one learns from its heartbeat that it no longer exists).
 */
export class DeleteJob {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wakeUps: WakeUps,
  ) {}

  async execute(id: string, force: boolean): Promise<void> {
    const now = this.clock.now();
    const running = await this.store.transaction(async (tx) => {
      const { job, active } = await lockJobWithActive(tx, id);
      if (!job) throw DomainError.notFound(`job ${id} does not exist`);
      if (active.length > 0 && !force) {
        throw DomainError.illegalTransition(`cannot delete job ${id}: ${active.length} execution(s) are queued or running; cancel the job first or delete with force`);
      }
      await tx.events.append(active.map((execution) => eventOf(cancelExecution(execution, now, 'job deleted'), now)));
      if (!(await tx.jobs.delete(id, job.version))) throw DomainError.conflict(`job ${id} changed concurrently; retry`);
      return active.some((execution) => execution.status === 'running');
    });
    if (running) this.wakeUps.leasesChanged();
  }
}
