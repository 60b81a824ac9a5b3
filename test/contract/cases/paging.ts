import { expect } from 'chai';
import { ok, type ContractCase } from '../support/contract.js';
import { createJob, LATER, uniqueType } from '../support/helpers.js';
import type { Target } from '../support/target.js';

/** Ids in page order and how many page calls were made. */
interface Paged {
  readonly ids: string[];
  readonly pages: number;
}

/**
 * Pages through a listing with page_size 7 while another task keeps adding rows to the same
 * listing, and returns what the pages held. The writer starts before the first page and runs
 * until the last, so rows are added between (and during) page calls.
 */
async function pageWhileInserting(page: (token: string) => Promise<{ ids: string[]; next: string }>, insert: () => Promise<string>): Promise<Paged & { inserted: string[] }> {
  const inserted: string[] = [];
  let paging = true;
  const writer = (async () => {
    while (paging) inserted.push(await insert());
  })();
  const ids: string[] = [];
  let pages = 0;
  try {
    let token = '';
    do {
      const result = await page(token);
      ids.push(...result.ids);
      token = result.next;
      pages += 1;
      // Let at least one insert land between this page and the next.
      const seen = inserted.length;
      while (token && paging && inserted.length === seen) await new Promise((resolve) => setTimeout(resolve, 2));
    } while (token);
  } finally {
    paging = false;
    await writer;
  }
  return { ids, pages, inserted };
}

function expectNoSkipsOrRepeats(original: readonly string[], result: Paged & { inserted: string[] }): void {
  const repeated = result.ids.filter((id, i) => result.ids.indexOf(id) !== i);
  expect(repeated, 'rows returned twice').to.deep.equal([]);
  const returned = new Set(result.ids);
  expect(original.filter((id) => !returned.has(id)), 'rows of the original set that no page returned').to.deep.equal([]);
  const known = new Set([...original, ...result.inserted]);
  expect(result.ids.filter((id) => !known.has(id)), 'rows from nowhere').to.deep.equal([]);
  expect(result.pages, 'pages of 7').to.be.at.least(Math.ceil(original.length / 7));
  expect(result.inserted.length, 'rows inserted while paging').to.be.at.least(result.pages - 1);
}

export const pagingCases: { readonly listJobs: readonly ContractCase[]; readonly listExecutions: readonly ContractCase[] } = {
  listJobs: [
    ok(
      'paging (page_size 7) while jobs of the type keep being created neither skips nor repeats a job',
      async (t) => {
        const type = uniqueType();
        // Half in one batch (one created_at for all), half one by one.
        const { jobs } = await t.scheduler.batchCreateJobs({ requests: Array.from({ length: 25 }, (_, i) => ({ job: { name: `batch ${i}`, type, schedule: LATER } })) });
        const original = jobs.map((j) => j.id);
        for (let i = 0; i < 25; i += 1) original.push((await createJob(t, { type, name: `single ${i}` })).id);
        const result = await pageWhileInserting(
          async (pageToken) => {
            const page = await t.scheduler.listJobs({ filter: { type }, pageSize: 7, pageToken });
            expect(page.jobs.length).to.be.at.most(7);
            return { ids: page.jobs.map((j) => j.id), next: page.nextPageToken };
          },
          async () => (await createJob(t, { type, name: 'inserted while paging' })).id,
        );
        expectNoSkipsOrRepeats(original, result);
      },
      60_000,
    ),
  ],
  listExecutions: [
    ...(['job_id', 'job_type'] as const).map((scope) =>
      ok(
        `paging (page_size 7, by ${scope}) while executions keep being created neither skips nor repeats one`,
        async (t: Target) => {
          const type = uniqueType();
          const jobs = [await createJob(t, { type }), await createJob(t, { type })];
          const run = async (i: number) => (await t.scheduler.runJob({ id: jobs[scope === 'job_id' ? 0 : i % 2]?.id ?? '' })).execution?.id ?? '';
          const original: string[] = [];
          for (let i = 0; i < 50; i += 10) original.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => run(i + k)))));
          let inserts = 0;
          const filter = scope === 'job_id' ? { jobId: jobs[0]?.id ?? '' } : { jobType: type };
          const result = await pageWhileInserting(
            async (pageToken) => {
              const page = await t.scheduler.listExecutions({ ...filter, pageSize: 7, pageToken });
              expect(page.executions.length).to.be.at.most(7);
              return { ids: page.executions.map((e) => e.id), next: page.nextPageToken };
            },
            () => run(inserts++),
          );
          expectNoSkipsOrRepeats(original, result);
        },
        60_000,
      ),
    ),
  ],
};
