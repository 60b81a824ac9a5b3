import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../../src/adapters/pg/embedded-postgres.js';

/**
 * Mocha global fixture: one PostgreSQL for the whole run. With DATABASE_URL set, tests use that
 * server; otherwise a throw-away embedded cluster (fsync off: its data dies with the run). Each
 * test file then creates its own database on it (test-database.ts).
 */
let cluster: EmbeddedPostgres | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'jobscheduler-test-'));
  // As root, PostgreSQL runs as the "postgres" user, who must be able to enter this directory.
  chmodSync(base, 0o755);
  cluster = await EmbeddedPostgres.start({
    dataDir: join(base, 'postgres'),
    port: 0,
    ephemeral: true,
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
  });
  process.env.TEST_ADMIN_DATABASE_URL = cluster.url();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await cluster?.stop();
}
