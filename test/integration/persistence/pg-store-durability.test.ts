import { expect } from 'chai';
import type pg from 'pg';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';

/**
 * TransactionOptions.durable on PostgreSQL: a transaction that need not wait for the disk runs
 * with synchronous_commit off for itself only (SET LOCAL), and the connection goes back to the
 * pool with the server's setting.
 */
describe('PgStore transactions: durability', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let client: pg.PoolClient | undefined;
  let store: PgStore;
  before(async () => {
    database = await TestDatabase.create();
    // The test cluster itself runs with synchronous_commit off; this database must not.
    const admin = database.pool(1);
    await admin.query(`ALTER DATABASE ${database.name} SET synchronous_commit = on`);
    await admin.end();
    pool = database.pool(1);
    // The store's own connection, so the test can ask it what the transaction runs with.
    const spy = { connect: async () => (client = await pool.connect()) } as unknown as pg.Pool;
    store = new PgStore(spy);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  const setting = async () => (await client!.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit;

  it('turns synchronous_commit off for a transaction that need not be durable, and only for it', async () => {
    expect(await store.transaction(() => setting(), { durable: false })).to.equal('off');
    expect(await store.transaction(() => setting())).to.equal('on');
    expect(await store.transaction(() => setting(), { durable: true })).to.equal('on');
  });
});
