import { expect } from 'chai';
import { executionOf, jobInState, newJob } from '../support/builders.js';
import { rejection, type ConformanceContext } from './context.js';

/** Store.transaction: all or nothing. */
export function transactionConformance(context: ConformanceContext): void {
  describe('Store.transaction', () => {
    it('commits everything the work did and returns its result', async () => {
      const job = { ...jobInState('running'), executionCount: 1 };
      const execution = executionOf(job, { number: 1 });
      const result = await context.tx(async (tx) => {
        await tx.jobs.insert([job]);
        await tx.executions.insert([execution]);
        return 42;
      });
      expect(result).to.equal(42);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
      expect(await context.tx((tx) => tx.executions.get(execution.id))).to.deep.equal(execution);
    });

    it('keeps nothing of work that throws, and rethrows its error', async () => {
      const kept = newJob();
      await context.tx((tx) => tx.jobs.insert([kept]));
      const job = { ...jobInState('running'), executionCount: 1 };
      const failure = new Error('work failed');
      const error = await rejection(
        context.tx(async (tx) => {
          await tx.jobs.insert([job]);
          await tx.executions.insert([executionOf(job, { number: 1 })]);
          await tx.jobs.update([{ job: { ...kept, name: 'renamed', version: 2 }, expectedVersion: 1 }]);
          await tx.jobs.delete(kept.id, 2);
          throw failure;
        }),
      );
      expect(error).to.equal(failure);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.equal(undefined);
      expect(await context.tx((tx) => tx.jobs.get(kept.id))).to.deep.equal(kept);
      // The store is usable afterwards.
      expect(await context.tx((tx) => tx.jobs.countByState())).to.include({ pending: 0, scheduled: 1 });
    });
  });
}
