import { expect } from 'chai';
import type pg from 'pg';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';
import { at, executionOf, jobInState } from './support/builders.js';

const TRANSACTIONS = 60;
const POOL = 12;

/**
 * Execution numbers come from jobs.execution_count, read under SELECT … FOR UPDATE and written
 * back in the same transaction as the execution row. Under concurrency they must stay unique
 * and gap-free, even when some transactions roll back after taking a number.
 */
describe('execution numbers under concurrent inserts (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await TestDatabase.create();
    pool = database.pool(POOL);
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it(`${TRANSACTIONS} transactions on a pool of ${POOL}: numbers are exactly 1..N of those that committed`, async () => {
    const store = new PgStore(pool);
    const job = { ...jobInState('running'), executionCount: 0 };
    await store.transaction((tx) => tx.jobs.insert([job]));
    const abandon = (i: number) => i % 7 === 3;

    const results = await Promise.allSettled(
      Array.from({ length: TRANSACTIONS }, (_, i) =>
        store.transaction(async (tx) => {
          const [locked] = await tx.jobs.lock([job.id]);
          if (!locked) throw new Error('job vanished');
          const number = locked.executionCount + 1;
          const updated = { ...locked, executionCount: number, version: locked.version + 1 };
          const written = await tx.jobs.update([{ job: updated, expectedVersion: locked.version }]);
          if (!written.has(job.id)) throw new Error('lost the compare-and-set while holding the row lock');
          await tx.executions.insert([executionOf(updated, { number, occurrenceAt: at(i * 1_000) })]);
          // Some give up after taking a number: their number must be taken again, not skipped.
          if (abandon(i)) throw new Error('abandoned');
          return number;
        }),
      ),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    const committed = Array.from({ length: TRANSACTIONS }, (_, i) => i).filter((i) => !abandon(i)).length;
    expect(failures).to.deep.equal(Array.from({ length: TRANSACTIONS - committed }, () => 'abandoned'));

    const { rows } = await pool.query<{ number: string }>('SELECT number FROM executions WHERE job_id = $1 ORDER BY number', [job.id]);
    expect(rows.map((row) => Number(row.number))).to.deep.equal(Array.from({ length: committed }, (_, i) => i + 1));
    const stored = await store.transaction((tx) => tx.jobs.get(job.id));
    expect(stored?.executionCount).to.equal(committed);
    expect(stored?.version).to.equal(job.version + committed);
  });
});
