import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DRIVER_SETTINGS } from '../../src/adapters/pg/database.js';

export const TEMPLATE_DATABASE = 'jobscheduler_test_template';

/**
 * A database of its own for one test file, dropped afterwards, so files run in any order. By
 * default a clone of the migrated template; empty for tests of the migrations themselves.
 */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(options: { empty?: boolean } = {}): Promise<TestDatabase> {
    const name = `test_${randomBytes(6).toString('hex')}`;
    const template = options.empty ? '' : ` TEMPLATE ${TEMPLATE_DATABASE}`;
    await withAdmin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template}`));
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    return new TestDatabase(name, url.toString());
  }

  /** A pool on this database, set up as the service's (pipelined, its type parsers), for the store under test and for tests that look at rows directly. */
  pool(max = 5): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.url, max, ...DRIVER_SETTINGS });
    // pool.end() resolves before its connections have closed on the server, so drop()'s
    // DROP DATABASE … WITH (FORCE) can still terminate one of them. The FATAL that arrives on a
    // closing connection is expected then; without a listener it would crash the test run.
    pool.on('error', () => undefined);
    return pool;
  }

  async drop(): Promise<void> {
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(this.name)} WITH (FORCE)`));
  }
}

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('TEST_ADMIN_DATABASE_URL is unset: run the tests through mocha with test/support/global-postgres');
  return url;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
