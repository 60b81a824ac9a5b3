import { expect } from 'chai';
import type { ExecutionCursor, ExecutionFilter } from '../../../../src/application/ports/execution-store.js';
import type { ExecutionStatus } from '../../../../src/domain/execution/execution-status.js';
import type { Execution } from '../../../../src/domain/execution/execution.js';
import type { Job } from '../../../../src/domain/job/job.js';
import { computeStatistics } from '../../../../src/domain/statistics/execution-statistics.js';
import { at, executionOf, jobInState, MINUTE, orderedId } from '../support/builders.js';
import type { ConformanceContext } from './context.js';

/** ListExecutions (per job and across jobs) and the per-job statistics. */
export function executionQueryConformance(context: ConformanceContext): void {
  describe('ExecutionStore: list', () => {
    const all: Execution[] = [];
    let crawl: Job;
    let index: Job;
    beforeEach(async () => {
      all.length = 0;
      crawl = { ...jobInState('running', { type: 'crawl' }), executionCount: 6 };
      index = { ...jobInState('running', { type: 'index' }), executionCount: 4 };
      const statuses: ExecutionStatus[] = ['succeeded', 'failed', 'succeeded', 'lost', 'running', 'queued'];
      // Queue times interleave the two jobs; three executions share one queue time (id decides),
      // and per job the queue order differs from the number order, so the two orders are told apart.
      const crawlQueued = [1, 2, 5, 5, 9, 8];
      const indexQueued = [0, 5, 7, 3];
      statuses.forEach((status, i) => {
        all.push(executionOf(crawl, { number: i + 1, status, queuedAt: at((crawlQueued[i] as number) * MINUTE), id: orderedId(40 - i * 3) }));
      });
      (['succeeded', 'cancelled', 'timed_out', 'queued'] as ExecutionStatus[]).forEach((status, i) => {
        all.push(executionOf(index, { number: i + 1, status, queuedAt: at((indexQueued[i] as number) * MINUTE), id: orderedId(39 - i * 3) }));
      });
      await context.tx(async (tx) => {
        await tx.jobs.insert([crawl, index]);
        await tx.executions.insert(all);
      });
    });

    function expected(filter: ExecutionFilter): Execution[] {
      return all
        .filter((e) => (!filter.jobId || e.jobId === filter.jobId) && (!filter.statuses?.length || filter.statuses.includes(e.status)) && (!filter.jobType || e.jobType === filter.jobType))
        .sort(filter.jobId ? (a, b) => b.number - a.number : (a, b) => b.queuedAt.getTime() - a.queuedAt.getTime() || (a.id < b.id ? 1 : -1));
    }

    async function collect(filter: ExecutionFilter, pageSize: number): Promise<Execution[][]> {
      const pages: Execution[][] = [];
      let after: ExecutionCursor | undefined;
      do {
        const page = await context.tx((tx) => tx.executions.list(filter, after, pageSize));
        pages.push([...page.executions]);
        const last = page.executions.at(-1);
        if (page.next) expect(page.next).to.deep.equal({ queuedAt: last?.queuedAt, number: last?.number, id: last?.id });
        after = page.next;
        if (pages.length > 20) expect.fail('pagination does not end');
      } while (after);
      return pages;
    }

    const filters: [string, () => ExecutionFilter][] = [
      ['one job, by number descending', () => ({ jobId: crawl.id })],
      ['one job and statuses', () => ({ jobId: crawl.id, statuses: ['succeeded', 'lost', 'queued'] })],
      ['all jobs, by queue time descending', () => ({})],
      ['all jobs, statuses', () => ({ statuses: ['queued', 'running'] })],
      ['all jobs, job type', () => ({ jobType: 'index' })],
      ['job type and statuses', () => ({ jobType: 'crawl', statuses: ['succeeded'] })],
      ['a job of another type: nothing', () => ({ jobId: index.id, jobType: 'crawl' })],
    ];
    for (const [name, filter] of filters) {
      for (const pageSize of [1, 3, 100]) {
        it(`lists in keyset pages of ${pageSize}: ${name}`, async () => {
          const want = expected(filter());
          const pages = await collect(filter(), pageSize);
          expect(pages.flat()).to.deep.equal(want);
          expect(pages.slice(0, -1).every((page) => page.length === pageSize)).to.equal(true);
        });
      }
    }
  });

  describe('ExecutionStatistics from the store equal computeStatistics over the same rows', () => {
    const cases: [string, (job: Job) => Execution[]][] = [
      ['no executions', () => []],
      [
        'every status, retries, a run of failures after the last success',
        (job) => [
          executionOf(job, { number: 1, status: 'succeeded', occurrenceAt: at(0), startedAt: at(1_000), finishedAt: at(1_001) }),
          executionOf(job, { number: 2, status: 'failed', occurrenceAt: at(MINUTE), startedAt: at(MINUTE), finishedAt: at(MINUTE + 2_000) }),
          executionOf(job, { number: 3, status: 'succeeded', occurrenceAt: at(MINUTE), attempt: 2, startedAt: at(2 * MINUTE), finishedAt: at(2 * MINUTE + 2_000) }),
          executionOf(job, { number: 4, status: 'timed_out', occurrenceAt: at(3 * MINUTE), startedAt: at(3 * MINUTE), finishedAt: at(3 * MINUTE + 7) }),
          executionOf(job, { number: 5, status: 'cancelled', occurrenceAt: at(4 * MINUTE) }),
          executionOf(job, { number: 6, status: 'lost', occurrenceAt: at(5 * MINUTE), startedAt: at(5 * MINUTE), finishedAt: at(5 * MINUTE + 90_001) }),
          executionOf(job, { number: 7, status: 'lost', occurrenceAt: at(5 * MINUTE), attempt: 2, startedAt: at(6 * MINUTE), finishedAt: at(6 * MINUTE + 13) }),
          executionOf(job, { number: 8, status: 'cancelled', occurrenceAt: at(7 * MINUTE), startedAt: at(7 * MINUTE), finishedAt: at(7 * MINUTE + 1) }),
          executionOf(job, { number: 9, status: 'running', occurrenceAt: at(8 * MINUTE) }),
          executionOf(job, { number: 10, status: 'queued', occurrenceAt: at(9 * MINUTE) }),
        ],
      ],
      [
        'durations whose mean is not a short decimal',
        (job) =>
          [1, 2, 2, 7, 11, 13, 1_000_003].map((ms, i) =>
            executionOf(job, { number: i + 1, status: i % 3 === 0 ? 'failed' : 'succeeded', startedAt: at(i * MINUTE), finishedAt: at(i * MINUTE + ms) }),
          ),
      ],
      [
        'run times come from the latest 1,000 finished executions that started (by number)',
        (job) =>
          Array.from({ length: 1_005 }, (_, i) =>
            // The five oldest ran 1,000 s; they fall out of the sample, so no figure may reach 1,000 s.
            executionOf(job, { number: i + 1, status: 'succeeded', occurrenceAt: at(i * MINUTE), startedAt: at(i * MINUTE), finishedAt: at(i * MINUTE + (i < 5 ? 1_000_000 : 1 + (i % 17))) }),
          ),
      ],
      ['only unfinished work', (job) => [executionOf(job, { number: 1, status: 'queued' }), executionOf(job, { number: 2, status: 'running' })]],
      [
        'the latest attempt decides an occurrence even when numbered out of occurrence order',
        (job) => [
          executionOf(job, { number: 1, status: 'failed', occurrenceAt: at(MINUTE) }),
          executionOf(job, { number: 2, status: 'succeeded', occurrenceAt: at(0) }),
          executionOf(job, { number: 3, status: 'failed', occurrenceAt: at(MINUTE), attempt: 2 }),
          executionOf(job, { number: 4, status: 'failed', occurrenceAt: at(2 * MINUTE) }),
        ],
      ],
    ];
    for (const [name, build] of cases) {
      it(name, async () => {
        const job = { ...jobInState('running'), executionCount: 2_000 };
        const unrelated = { ...jobInState('running'), executionCount: 1 };
        const executions = build(job);
        await context.tx(async (tx) => {
          await tx.jobs.insert([job, unrelated]);
          await tx.executions.insert([...executions, executionOf(unrelated, { number: 1, status: 'succeeded' })]);
        });
        const statistics = await context.tx((tx) => tx.executions.statistics(job.id));
        expect(statistics).to.deep.equal(computeStatistics(executions));
        if (executions.length > 1_000) expect([statistics.meanDurationMs, statistics.p95DurationMs].every((ms) => (ms as number) < 1_000_000)).to.equal(true);
      });
    }
  });
}
