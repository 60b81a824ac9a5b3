import { expect } from 'chai';
import type { JobCursor, JobFilter } from '../../../../src/application/ports/job-store.js';
import type { Job } from '../../../../src/domain/job/job.js';
import { at, jobInState, MINUTE, orderedId } from '../support/builders.js';
import { ids, type ConformanceContext } from './context.js';

/** ListJobs and the bulk-operation id query: filters, newest-first keyset pages, totals. */
export function jobQueryConformance(context: ConformanceContext): void {
  describe('JobStore: list and ids', () => {
    // Ten jobs; 3 and 4 share a creation time (id breaks the tie), types and labels vary.
    const jobs: Job[] = [];
    beforeEach(async () => {
      jobs.length = 0;
      const spec = [
        { state: 'scheduled', type: 'crawl', labels: { team: 'search', env: 'prod' } },
        { state: 'paused', type: 'crawl', labels: { team: 'search', env: 'dev' } },
        { state: 'scheduled', type: 'index', labels: { team: 'search', env: 'prod' } },
        { state: 'completed', type: 'crawl', labels: {} },
        { state: 'scheduled', type: 'crawl', labels: { team: 'ads', env: 'prod' } },
        { state: 'cancelled', type: 'index', labels: { team: 'ads' } },
        { state: 'running', type: 'crawl', labels: { team: 'search', env: 'prod', extra: 'x' } },
        { state: 'scheduled', type: 'crawl', labels: { team: 'search' } },
        { state: 'failed', type: 'mail', labels: {} },
        { state: 'pending', type: 'crawl', labels: { env: 'prod' } },
      ] as const;
      // Names with LIKE's wildcards and mixed case: a search takes them literally and ignores case.
      const names = ['Nightly report', 'nightly_backup', 'report 50%', 'report 500', 'sync', 'nightlyXbackup', 'Reports\\archive', 'crawl', 'mail', 'reportsXarchive'];
      spec.forEach(({ state, type, labels }, i) => {
        const createdAt = at((i === 4 ? 3 : i) * MINUTE);
        // Ids deliberately not in creation order, so an order by id alone would be caught.
        const job = jobInState(state, { id: orderedId(100 - i * 7), now: createdAt, type });
        jobs.push({ ...job, labels, name: names[i] as string });
      });
      await context.tx((tx) => tx.jobs.insert(jobs));
    });

    /** The reference answer: filter, then created_at DESC, id DESC. */
    function expected(filter: JobFilter): Job[] {
      return jobs
        .filter(
          (job) =>
            (!filter.states?.length || filter.states.includes(job.state)) &&
            (!filter.type || job.type === filter.type) &&
            Object.entries(filter.labels ?? {}).every(([key, value]) => job.labels[key] === value) &&
            (!filter.nameContains || job.name.toLowerCase().includes(filter.nameContains.toLowerCase())),
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    }

    async function allPages(filter: JobFilter, pageSize: number): Promise<{ pages: Job[][]; totals: number[] }> {
      const pages: Job[][] = [];
      const totals: number[] = [];
      let after: JobCursor | undefined;
      do {
        const page = await context.tx((tx) => tx.jobs.list(filter, after, pageSize));
        pages.push([...page.jobs]);
        totals.push(page.total);
        after = page.next;
        if (pages.length > 20) expect.fail('pagination does not end');
      } while (after);
      return { pages, totals };
    }

    const filters: [string, JobFilter][] = [
      ['no filter', {}],
      ['states', { states: ['scheduled', 'paused'] }],
      ['type', { type: 'crawl' }],
      ['one label', { labels: { team: 'search' } }],
      ['every label must match', { labels: { team: 'search', env: 'prod' } }],
      ['states, type and labels together', { states: ['scheduled', 'running'], type: 'crawl', labels: { env: 'prod' } }],
      ['nothing matches', { type: 'nope' }],
      ['name contains, ignoring case', { nameContains: 'NIGHTLY' }],
      ['a % in the search is a plain character', { nameContains: '50%' }],
      ['an _ in the search is a plain character', { nameContains: 'y_b' }],
      ['a backslash in the search is a plain character', { nameContains: 's\\a' }],
      ['name search with type', { nameContains: 'report', type: 'crawl' }],
      ['empty states list means any state', { states: [] }],
    ];

    for (const [name, filter] of filters) {
      it(`lists newest first in keyset pages with the filtered total: ${name}`, async () => {
        const want = expected(filter);
        const { pages, totals } = await allPages(filter, 3);
        expect(pages.flat()).to.deep.equal(want);
        expect(totals.every((total) => total === want.length)).to.equal(true);
        expect(pages.slice(0, -1).every((page) => page.length === 3)).to.equal(true);
      });
    }

    it('gives the next cursor only when more rows follow, pointing at the last row returned', async () => {
      const first = await context.tx((tx) => tx.jobs.list({}, undefined, 4));
      const last = first.jobs.at(-1) as Job;
      expect(first.next).to.deep.equal({ createdAt: last.createdAt, id: last.id });
      const exact = await context.tx((tx) => tx.jobs.list({}, undefined, jobs.length));
      expect(exact.jobs).to.have.length(jobs.length);
      expect(exact.next).to.equal(undefined);
      // The tie at one creation time is split across the page boundary without a skip or repeat.
      const tied = expected({}).findIndex((job) => job.createdAt.getTime() === at(3 * MINUTE).getTime());
      const split = await context.tx((tx) => tx.jobs.list({}, undefined, tied + 1));
      const rest = await context.tx((tx) => tx.jobs.list({}, split.next, 100));
      expect([...split.jobs, ...rest.jobs]).to.deep.equal(expected({}));
    });

    it('returns ids of matching jobs, oldest first, up to the limit', async () => {
      const oldestFirst = (filter: JobFilter) => ids(expected(filter)).reverse();
      expect(await context.tx((tx) => tx.jobs.ids({}, 100))).to.deep.equal(oldestFirst({}));
      expect(await context.tx((tx) => tx.jobs.ids({ type: 'crawl' }, 3))).to.deep.equal(oldestFirst({ type: 'crawl' }).slice(0, 3));
      expect(await context.tx((tx) => tx.jobs.ids({ states: ['scheduled'], labels: { env: 'prod' } }, 100))).to.deep.equal(
        oldestFirst({ states: ['scheduled'], labels: { env: 'prod' } }),
      );
      expect(await context.tx((tx) => tx.jobs.ids({ labels: { team: 'nobody' } }, 100))).to.deep.equal([]);
    });
  });
}
