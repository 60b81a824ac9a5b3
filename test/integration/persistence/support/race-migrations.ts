import type { Migration } from '../../../../src/adapters/pg/migrations/migration.js';
import { MIGRATIONS } from '../../../../src/adapters/pg/migrations/index.js';

/**
 * The real migrations, plus (with slowMs > 0) a last one that holds the migration transaction
 * open that long, so that racing migrators are certain to overlap.
 */
export function raceMigrations(slowMs: number): readonly Migration[] {
  if (slowMs <= 0) return MIGRATIONS;
  return [...MIGRATIONS, { id: MIGRATIONS.length + 1, name: 'slow', up: `SELECT pg_sleep(${slowMs / 1000})`, down: 'SELECT 1' }];
}
