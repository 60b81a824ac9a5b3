import { expect } from 'chai';
import type pg from 'pg';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';

/**
 * TransactionOptions.durable on PostgreSQL: a transaction that need not wait for the disk runs
 * with synchronous_commit off for itself only (SET LOCAL), and the connection goes back to the
 * pool with the server's setting.
 */
describe('PgStore transactions: durability and read-only work', () => {
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

  it('runs read-only work without a transaction block, on one connection', async () => {
    // In a block, a failed statement aborts the rest of the transaction; without one it does not.
    const blockError = await store
      .transaction(async () => {
        await client!.query('SELECT 1 / 0').catch(() => undefined);
        return client!.query('SELECT 1');
      })
      .then(
        () => undefined,
        (error: { code?: string }) => error.code,
      );
    expect(blockError).to.equal('25P02');
    const value = await store.transaction(
      async () => {
        await client!.query('SELECT 1 / 0').catch(() => undefined);
        return (await client!.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one;
      },
      { readOnly: true },
    );
    expect(value).to.equal(1);
    expect(await store.transaction(() => setting(), { readOnly: true })).to.equal('on');
  });

  it('runs single-statement work without a transaction block too', async () => {
    const level = async () => (await client!.query<{ level: string }>(`SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN 'none' ELSE 'assigned' END AS level`)).rows[0]?.level;
    // Without a block, a write commits on its own: the next statement runs in a new transaction with no xid yet.
    const afterWrite = await store.transaction(
      async () => {
        await client!.query('CREATE TEMP TABLE IF NOT EXISTS single_statement_probe (x int)');
        return level();
      },
      { singleStatement: true },
    );
    expect(afterWrite).to.equal('none');
    const inTransaction = await store.transaction(async () => {
      await client!.query('CREATE TEMP TABLE IF NOT EXISTS single_statement_probe2 (x int)');
      return level();
    });
    expect(inTransaction).to.equal('assigned');
  });
});
