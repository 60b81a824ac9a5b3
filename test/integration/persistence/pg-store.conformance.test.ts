import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';
import { describeStoreConformance } from './store-conformance.js';

// A fresh clone of the migrated template for every test: nothing one test leaves behind (rows,
// sequence positions, locks) can make another pass or fail.
describeStoreConformance('PgStore', async () => {
  const database = await TestDatabase.create();
  const pool = database.pool(4);
  return {
    store: new PgStore(pool),
    async close() {
      await pool.end();
      await database.drop();
    },
  };
});
