import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import type { Transaction } from '../../../src/application/ports/store.js';
import { TestDatabase } from '../../support/test-database.js';
import { at, executionOf, jobInState, MINUTE, T0 } from './support/builders.js';
import { Barrier, Latch } from '../../support/latch.js';

const CLAIMERS = 6;

/**
 * The claims that hand out work (due jobs, queued executions, expired leases) skip rows other
 * transactions hold: claimers whose transactions are all open at once never get the same row.
 */
describe('concurrent claims with FOR UPDATE SKIP LOCKED (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PgStore;
  beforeEach(async () => {
    database = await TestDatabase.create();
    pool = database.pool(CLAIMERS + 2);
    store = new PgStore(pool);
  });
  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  /** Runs `claim` in CLAIMERS transactions that all stay open until every one has claimed. */
  async function claimTogether(claim: (tx: Transaction) => Promise<{ id: string }[]>): Promise<string[][]> {
    const barrier = new Barrier(CLAIMERS);
    const claimed: string[][] = [];
    await Promise.all(
      Array.from({ length: CLAIMERS }, () =>
        store.transaction(async (tx) => {
          // One claimer at a time, so each one claims while the earlier ones still hold their rows.
          claimed.push((await claim(tx)).map((row) => row.id));
          await barrier.arrive();
        }),
      ),
    );
    return claimed;
  }

  function expectDisjoint(claimed: string[][], available: number, perClaim: number): void {
    const all = claimed.flat();
    expect(new Set(all).size, 'a row was claimed twice').to.equal(all.length);
    expect(all.length).to.equal(Math.min(available, perClaim * CLAIMERS));
  }

  it('two open transactions claiming due jobs never get the same job', async () => {
    const jobs = Array.from({ length: 10 }, (_, i) => ({ ...jobInState('scheduled'), nextRunAt: at(-i * MINUTE) }));
    await store.transaction((tx) => tx.jobs.insert(jobs));
    const firstClaimed = new Latch();
    const secondDone = new Latch();
    const first = store.transaction(async (tx) => {
      const claimed = await tx.jobs.claimDue(T0, 4);
      firstClaimed.open();
      await secondDone.promise;
      return claimed.map((job) => job.id);
    });
    await firstClaimed.promise;
    const second = await store.transaction((tx) => tx.jobs.claimDue(T0, 4)).finally(() => secondDone.open());
    const firstIds = await first;
    const earliestFirst = [...jobs].sort((a, b) => (a.nextRunAt as Date).getTime() - (b.nextRunAt as Date).getTime()).map((job) => job.id);
    expect(firstIds).to.deep.equal(earliestFirst.slice(0, 4));
    expect(second.map((job) => job.id)).to.deep.equal(earliestFirst.slice(4, 8));
  });

  it(`${CLAIMERS} open transactions claiming due jobs share nothing`, async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => ({ ...jobInState('scheduled'), nextRunAt: at(-i * 1_000) }));
    await store.transaction((tx) => tx.jobs.insert(jobs));
    expectDisjoint(await claimTogether((tx) => tx.jobs.claimDue(T0, 4)), 20, 4);
  });

  it(`${CLAIMERS} workers acquiring at once never get the same execution`, async () => {
    const job = { ...jobInState('running'), executionCount: 15 };
    await store.transaction(async (tx) => {
      await tx.jobs.insert([job]);
      await tx.executions.insert(Array.from({ length: 15 }, (_, i) => executionOf(job, { number: i + 1, queuedAt: at(-MINUTE) })));
    });
    const claimed = await claimTogether((tx) => tx.executions.acquire({ workerId: randomUUID(), jobTypes: [job.type], capacity: 3, leaseDurationMs: 30_000, now: T0 }, randomUUID));
    expectDisjoint(claimed, 15, 3);
  });

  it(`${CLAIMERS} reapers claiming expired leases at once never get the same execution`, async () => {
    const job = { ...jobInState('running'), executionCount: 10 };
    await store.transaction(async (tx) => {
      await tx.jobs.insert([job]);
      await tx.executions.insert(Array.from({ length: 10 }, (_, i) => executionOf(job, { number: i + 1, status: 'running', startedAt: at(-10 * MINUTE) })));
    });
    expectDisjoint(await claimTogether((tx) => tx.executions.claimExpired(T0, 2)), 10, 2);
  });
});
