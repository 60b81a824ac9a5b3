import { expect } from 'chai';
import type pg from 'pg';

/**
 * Runs one big INSERT … SELECT the way bulk loads are done: the table's plain indexes are
 * dropped first and rebuilt afterwards from their own definitions (pg_get_indexdef), which is
 * several times faster than maintaining them row by row. The rebuilt indexes are checked to be
 * exactly the migration's, so plans are judged on the real schema. Constraint indexes (primary
 * key, unique constraints) stay in place throughout.
 */
export async function bulkLoad(pool: pg.Pool, table: string, insert: string, values: unknown[]): Promise<void> {
  const definitions = async () =>
    (
      await pool.query<{ name: string; definition: string }>(
        `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)
         ORDER BY c.relname`,
        [table],
      )
    ).rows;
  const before = await definitions();
  for (const { name } of before) await pool.query(`DROP INDEX ${name}`);
  await pool.query(insert, values);
  for (const { definition } of before) await pool.query(definition);
  expect(await definitions()).to.deep.equal(before);
  await pool.query(`ANALYZE ${table}`);
}
