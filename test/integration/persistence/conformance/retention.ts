import { expect } from 'chai';
import type { ExecutionStatus } from '../../../../src/domain/execution/execution-status.js';
import type { Execution } from '../../../../src/domain/execution/execution.js';
import type { Job } from '../../../../src/domain/job/job.js';
import { at, DAY, executionOf, jobInState, MINUTE } from '../support/builders.js';
import type { ConformanceContext } from './context.js';

const KEEP_PER_JOB = 100;
const KEEP_FOR_MS = 30 * DAY;
const NOW = at(60 * DAY);
const CUTOFF = NOW.getTime() - KEEP_FOR_MS;

/**
 * Retention: an execution is deleted iff it is not among the newest KEEP_PER_JOB of its job
 * (by number) AND it finished more than KEEP_FOR before now. Unfinished work is never deleted.
 */
export function retentionConformance(context: ConformanceContext): void {
  describe('ExecutionStore.prune (retention)', () => {
    it('keeps exactly the newest 100 per job and everything finished within 30 days, pruning in small batches', async () => {
      const busy = { ...jobInState('scheduled'), executionCount: 150 };
      // 150 runs over 60 days, oldest first; a few finish out of order to tell the two rules apart.
      const finishedAt = (number: number): Date => {
        if (number === 10) return at(59 * DAY); // old number, finished recently: young enough to keep
        if (number === 40) return new Date(CUTOFF); // exactly 30 days old: not older than 30 days
        if (number === 41) return new Date(CUTOFF - 1); // a millisecond older: goes
        if (number === 120) return at(1 * DAY); // among the newest 100 though very old: kept
        return at(number * 0.4 * DAY - 1);
      };
      const busyRuns = Array.from({ length: 150 }, (_, i) => {
        const number = i + 1;
        const done = finishedAt(number);
        return executionOf(busy, { number, status: statusFor(number), occurrenceAt: at(number * 0.4 * DAY - 60 * MINUTE), startedAt: new Date(done.getTime() - 1_000), finishedAt: done });
      });
      const busyJob: Job = busy;
      // A quiet job: few runs, all old: under the per-job minimum, so all stay.
      const quiet = { ...jobInState('scheduled'), executionCount: 3 };
      const quietRuns = [1, 2, 3].map((number) => executionOf(quiet, { number, status: 'succeeded', occurrenceAt: at(number * DAY), finishedAt: at(number * DAY + 1_000) }));
      await context.tx(async (tx) => {
        await tx.jobs.insert([busyJob, quiet]);
        await tx.executions.insert([...busyRuns, ...quietRuns]);
      });

      const expectedGone = busyRuns.filter((e) => e.number <= busyJob.executionCount - KEEP_PER_JOB && (e.finishedAt as Date).getTime() < CUTOFF);
      // Sanity of the fixture: both rules and the boundaries are exercised.
      expect(expectedGone.map((e) => e.number)).to.include(41).and.not.include(40).and.not.include(10);
      expect(busyRuns.filter((e) => e.number > 50 && (e.finishedAt as Date).getTime() < CUTOFF).length).to.be.greaterThan(10);

      let pruned = 0;
      const batches: number[] = [];
      for (;;) {
        const count = await context.tx((tx) => tx.executions.prune({ keepPerJob: KEEP_PER_JOB, keepForMs: KEEP_FOR_MS }, NOW, 7));
        expect(count).to.be.at.most(7);
        batches.push(count);
        pruned += count;
        if (count === 0 || batches.length > 100) break;
      }
      expect(pruned).to.equal(expectedGone.length);
      expect(batches.filter((count) => count === 7).length).to.be.greaterThan(1);

      const survivors = await allExecutions(context, [busyJob.id, quiet.id]);
      const gone = new Set(expectedGone.map((e) => e.id));
      const want = [...busyRuns, ...quietRuns].filter((e) => !gone.has(e.id));
      expect(survivors.map((e) => e.id).sort()).to.deep.equal(want.map((e) => e.id).sort());
    });

    it('never prunes queued or running executions, however old', async () => {
      const job = { ...jobInState('running'), executionCount: 4 };
      const old = [
        executionOf(job, { number: 1, status: 'queued', occurrenceAt: at(-400 * DAY) }),
        executionOf(job, { number: 2, status: 'running', occurrenceAt: at(-300 * DAY), startedAt: at(-300 * DAY) }),
        executionOf(job, { number: 3, status: 'succeeded', occurrenceAt: at(-200 * DAY) }),
        executionOf(job, { number: 4, status: 'failed', occurrenceAt: at(-100 * DAY) }),
      ];
      await context.tx(async (tx) => {
        await tx.jobs.insert([job]);
        await tx.executions.insert(old);
      });
      expect(await context.tx((tx) => tx.executions.prune({ keepPerJob: 0, keepForMs: DAY }, at(DAY), 100))).to.equal(2);
      expect((await allExecutions(context, [job.id])).map((e) => e.number).sort()).to.deep.equal([1, 2]);
    });
  });
}

function statusFor(number: number): ExecutionStatus {
  const finished: ExecutionStatus[] = ['succeeded', 'succeeded', 'failed', 'succeeded', 'timed_out', 'lost', 'cancelled'];
  return finished[number % finished.length] as ExecutionStatus;
}

async function allExecutions(context: ConformanceContext, jobIds: string[]): Promise<Execution[]> {
  const found: Execution[] = [];
  for (const jobId of jobIds) found.push(...(await context.tx((tx) => tx.executions.list({ jobId }, undefined, 1_000))).executions);
  return found;
}
