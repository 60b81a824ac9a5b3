import type pg from 'pg';

type Db = pg.Pool | pg.PoolClient;

/** A table's plain indexes (not backing a primary key or unique constraint), with their definitions. */
export async function plainIndexes(db: Db, table: string): Promise<{ name: string; definition: string }[]> {
  const { rows } = await db.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)
     ORDER BY c.relname`,
    [table],
  );
  return rows;
}

/**
 * Runs a bulk load the way bulk loads are done: the table's plain indexes are dropped first and
 * rebuilt afterwards from their own definitions, several times faster than maintaining them row
 * by row. Constraint indexes stay in place throughout. Returns the indexes it rebuilt.
 */
export async function withoutPlainIndexes(db: Db, table: string, load: () => Promise<unknown>): Promise<{ name: string; definition: string }[]> {
  const indexes = await plainIndexes(db, table);
  for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
  await load();
  for (const { definition } of indexes) await db.query(definition);
  return indexes;
}
