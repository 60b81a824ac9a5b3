import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/adapters/pg/embedded-postgres.js';
import { Migrator } from '../../src/adapters/pg/migrator.js';
import { MIGRATIONS } from '../../src/adapters/pg/migrations/index.js';
import { TEMPLATE_DATABASE } from './test-database.js';

/**
 * Mocha global fixture: one PostgreSQL for the whole run. With DATABASE_URL set, tests use that
 * server; otherwise a throw-away embedded cluster (fsync off: its data dies with the run). Each
 * test file then creates its own database on it (test-database.ts).
 */
let cluster: EmbeddedPostgres | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    await createTemplate(process.env.DATABASE_URL);
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'jobscheduler-test-'));
  // As root, PostgreSQL runs as the "postgres" user, who must be able to enter this directory.
  chmodSync(base, 0o755);
  cluster = await EmbeddedPostgres.start({
    dataDir: join(base, 'postgres'),
    port: 0,
    ephemeral: true,
    // Autovacuum is off: an ANALYZE of one file's big tables would hold back the cluster-wide xmin
    // and delay event-log visibility (by design) in the next file's tests. Plan tests ANALYZE explicitly.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', autovacuum: 'off' },
  });
  process.env.TEST_ADMIN_DATABASE_URL = cluster.url();
  await createTemplate(cluster.url());
}

/** A migrated database that each test file's database is cloned from (CREATE DATABASE … TEMPLATE). */
async function createTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await new Migrator(pool, MIGRATIONS).up();
  } finally {
    await pool.end();
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await cluster?.stop();
}
