import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Migration } from './migrations/migration.js';

/** Any constant works; it only has to be the same in every replica. */
const MIGRATION_LOCK = 7_311_240_917_001n;

export interface MigrationStatus {
  id: number;
  name: string;
  appliedAt: Date | undefined;
}

/**
 * A small migration runner, chosen over a library because PostgreSQL gives us what matters in
 * a few lines: all pending migrations run in ONE transaction under a transaction-level advisory
 * lock, so two replicas starting together migrate once (the second waits, then finds nothing to
 * do), and a failing migration rolls everything back, leaving the database as it was. The
 * migrations are TypeScript modules holding SQL, compiled and shipped with the service.
 */
export class Migrator {
  constructor(
    private readonly pool: pg.Pool,
    private readonly migrations: readonly Migration[],
  ) {
    migrations.forEach((migration, index) => {
      if (migration.id !== index + 1) throw new Error(`migration ids must be 1, 2, 3 …; found ${migration.id} at position ${index + 1}`);
    });
  }

  /** Applies every pending migration up to `target` (default: all); returns the ids applied. */
  up(target = this.migrations.length): Promise<number[]> {
    return this.locked(async (client, applied) => {
      const pending = this.migrations.filter((m) => m.id <= target && !applied.has(m.id));
      for (const migration of pending) {
        await run(client, migration, 'up');
        await client.query('INSERT INTO schema_migrations (id, name, checksum, applied_at) VALUES ($1, $2, $3, now())', [migration.id, migration.name, checksum(migration)]);
      }
      return pending.map((m) => m.id);
    });
  }

  /** Reverts applied migrations above `target` (default: all), newest first; returns their ids. */
  down(target = 0): Promise<number[]> {
    return this.locked(async (client, applied) => {
      const reverting = this.migrations.filter((m) => m.id > target && applied.has(m.id)).reverse();
      for (const migration of reverting) {
        await run(client, migration, 'down');
        await client.query('DELETE FROM schema_migrations WHERE id = $1', [migration.id]);
      }
      return reverting.map((m) => m.id);
    });
  }

  async status(): Promise<MigrationStatus[]> {
    return this.locked(async (client) => {
      const { rows } = await client.query<{ id: number; applied_at: Date }>('SELECT id, applied_at FROM schema_migrations');
      const appliedAt = new Map(rows.map((row) => [row.id, row.applied_at]));
      return this.migrations.map((m) => ({ id: m.id, name: m.name, appliedAt: appliedAt.get(m.id) }));
    });
  }

  private async locked<T>(work: (client: pg.PoolClient, applied: Set<number>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL)`);
      const { rows } = await client.query<{ id: number; checksum: string }>('SELECT id, checksum FROM schema_migrations ORDER BY id');
      for (const row of rows) {
        const known = this.migrations.find((m) => m.id === row.id);
        if (!known) throw new Error(`the database has migration ${row.id}, which this version of the service does not know; run a newer version`);
        if (checksum(known) !== row.checksum) throw new Error(`migration ${row.id} (${known.name}) was changed after it was applied; migrations are append-only`);
      }
      const result = await work(client, new Set(rows.map((row) => row.id)));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

async function run(client: pg.PoolClient, migration: Migration, direction: 'up' | 'down'): Promise<void> {
  try {
    await client.query(migration[direction]);
  } catch (error) {
    throw new Error(`migration ${migration.id} (${migration.name}) failed ${direction}: ${(error as Error).message}`);
  }
}

function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.up).digest('hex').slice(0, 16);
}
