import { expect } from 'chai';
import { at, executionOf, jobInState, MINUTE } from '../support/builders.js';
import type { ConformanceContext } from './context.js';

/**
 * The occurrence ledger: runs of dropped slots merge by (job, reason, since); the listing joins
 * them with first attempts, by slot then key, within [from, to), and pages without repeats.
 */
export function occurrenceStoreConformance(context: ConformanceContext): void {
  describe('OccurrenceStore', () => {
    it('extends a run of the same reason and last fire, lists it with the first attempts, pages, and prunes by age', async () => {
      const job = { ...jobInState('scheduled'), executionCount: 2 };
      const since = at(0);
      const first = executionOf(job, { number: 1, occurrenceAt: at(10 * MINUTE) });
      const retry = { ...executionOf(job, { number: 2, occurrenceAt: at(10 * MINUTE) }), attempt: 2, trigger: 'retry' as const };
      await context.tx(async (tx) => {
        await tx.jobs.insert([job]);
        await tx.executions.insert([first, retry]);
        await tx.occurrences.record([{ jobId: job.id, reason: 'window', since, first: at(MINUTE), last: at(MINUTE), count: 1 }], at(MINUTE));
      });
      await context.tx((tx) => tx.occurrences.record([{ jobId: job.id, reason: 'window', since, first: at(2 * MINUTE), last: at(3 * MINUTE), count: 2 }, { jobId: job.id, reason: 'overlap', since, first: at(20 * MINUTE), last: at(20 * MINUTE), count: 1 }], at(3 * MINUTE)));
      const rows = await context.tx((tx) => tx.occurrences.list({ jobId: job.id, from: undefined, to: undefined }, undefined, 10));
      expect(rows.map((r) => (r.kind === 'dropped' ? [r.reason, r.slotAt.toISOString(), r.lastSlotAt.toISOString(), r.count] : ['execution', r.executionId, r.attempts, r.latestStatus]))).to.deep.equal([
        ['window', at(MINUTE).toISOString(), at(3 * MINUTE).toISOString(), 3],
        ['execution', first.id, 2, 'queued'],
        ['overlap', at(20 * MINUTE).toISOString(), at(20 * MINUTE).toISOString(), 1],
      ]);
      const ranged = await context.tx((tx) => tx.occurrences.list({ jobId: job.id, from: at(2 * MINUTE), to: at(20 * MINUTE) }, undefined, 10));
      expect(ranged.map((r) => r.kind)).to.deep.equal(['dropped', 'execution']);
      const [head] = await context.tx((tx) => tx.occurrences.list({ jobId: job.id, from: undefined, to: undefined }, undefined, 1));
      const rest = await context.tx((tx) => tx.occurrences.list({ jobId: job.id, from: undefined, to: undefined }, { slotAt: head!.slotAt, key: head!.key }, 10));
      expect(rest.map((r) => r.kind)).to.deep.equal(['execution', 'dropped']);
      expect(await context.tx((tx) => tx.occurrences.prune(at(3 * MINUTE), 10))).to.equal(0);
      expect(await context.tx((tx) => tx.occurrences.prune(at(3 * MINUTE + 1), 10))).to.equal(2);
    });
  });
}
