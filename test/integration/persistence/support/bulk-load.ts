import { expect } from 'chai';
import type pg from 'pg';
import { plainIndexes, withoutPlainIndexes } from '../../../support/plain-indexes.js';

/**
 * Runs one big INSERT … SELECT without the table's plain indexes (withoutPlainIndexes). The
 * rebuilt indexes are checked to be exactly the migration's, so plans are judged on the real
 * schema.
 */
export async function bulkLoad(pool: pg.Pool, table: string, insert: string, values: unknown[]): Promise<void> {
  const before = await withoutPlainIndexes(pool, table, () => pool.query(insert, values));
  expect(await plainIndexes(pool, table)).to.deep.equal(before);
  await pool.query(`ANALYZE ${table}`);
}
