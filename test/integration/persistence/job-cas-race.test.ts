import { expect } from 'chai';
import type pg from 'pg';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';
import { newJob } from './support/builders.js';
import { Barrier } from '../../support/latch.js';

const WRITERS = 20;
const ROUNDS = 5;

/**
 * Compare-and-set on the real database: WRITERS transactions all read version v, then all try
 * to write v + 1. Row locking plus the version predicate (re-checked on the row the winner
 * committed) must let exactly one win every round.
 */
describe('job compare-and-set under concurrent writers (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await TestDatabase.create();
    pool = database.pool(WRITERS);
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it(`exactly one of ${WRITERS} writers wins each of ${ROUNDS} transitions`, async () => {
    const store = new PgStore(pool);
    const job = newJob();
    await store.transaction((tx) => tx.jobs.insert([job]));
    for (let round = 0; round < ROUNDS; round += 1) {
      const barrier = new Barrier(WRITERS);
      const outcomes = await Promise.all(
        Array.from({ length: WRITERS }, (_, writer) =>
          store.transaction(async (tx) => {
            const read = await tx.jobs.get(job.id);
            if (!read) throw new Error('job vanished');
            await barrier.arrive();
            const written = await tx.jobs.update([{ job: { ...read, name: `round ${round} writer ${writer}`, version: read.version + 1 }, expectedVersion: read.version }]);
            return { writer, readVersion: read.version, won: written.has(job.id) };
          }),
        ),
      );
      expect(outcomes.every((o) => o.readVersion === round + 1)).to.equal(true);
      const winners = outcomes.filter((o) => o.won);
      expect(winners, `round ${round}`).to.have.length(1);
      const stored = await store.transaction((tx) => tx.jobs.get(job.id));
      expect(stored?.version).to.equal(round + 2);
      expect(stored?.name).to.equal(`round ${round} writer ${winners[0]?.writer}`);
    }
  });
});
