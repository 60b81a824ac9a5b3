import pg from 'pg';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';
import { describeStoreConformance, type MakeStore } from './store-conformance.js';

/**
 * A fresh clone of the migrated template for every test: nothing one test leaves behind (rows,
 * sequence positions, locks) can make another pass or fail. `options` are server settings for
 * the pool's connections.
 */
function freshPgStore(options?: string): MakeStore {
  return async () => {
    const database = await TestDatabase.create();
    const pool = new pg.Pool({ connectionString: database.url, max: 4, ...(options ? { options } : {}) });
    // See TestDatabase.pool: drop() may terminate a connection that is still closing.
    pool.on('error', () => undefined);
    return {
      store: new PgStore(pool),
      async close() {
        await pool.end();
        await database.drop();
      },
    };
  };
}

describeStoreConformance('PgStore', freshPgStore());

// On tables this small an index often hands rows over already in the order a test expects, so a
// missing ORDER BY would go unnoticed. Without index scans every order must come from the SQL.
describeStoreConformance('PgStore without index scans', freshPgStore('-c enable_indexscan=off -c enable_indexonlyscan=off -c enable_bitmapscan=off'));
