import type pg from 'pg';

/**
 * Everything a migration can change in the public schema, as comparable data: relations
 * (tables, indexes, sequences), columns, constraints and index definitions.
 */
export async function schemaOf(pool: pg.Pool): Promise<Record<string, unknown[]>> {
  const query = async (sql: string) => (await pool.query(sql)).rows;
  return {
    relations: await query(`SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY relname`),
    columns: await query(
      `SELECT table_name, column_name, data_type, column_default, is_nullable, is_identity FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    ),
    constraints: await query(
      `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
    ),
    indexes: await query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
  };
}

export async function tablesOf(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
  return rows.map((row) => row.table_name);
}

/** The schema_migrations rows, or undefined when the table does not exist. */
export async function appliedMigrations(pool: pg.Pool): Promise<{ id: number; name: string }[] | undefined> {
  const { rows } = await pool.query<{ exists: boolean }>(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS exists`);
  if (!rows[0]?.exists) return undefined;
  return (await pool.query<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id')).rows;
}
