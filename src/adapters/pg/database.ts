import pg from 'pg';
import type { Logger } from '../../application/ports/logger.js';
import type { Config } from '../config/config.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { Migrator } from './migrator.js';
import { MIGRATIONS } from './migrations/index.js';
import { TYPE_PARSERS } from './timestamp-parser.js';

const EMBEDDED_DATABASE = 'jobscheduler';

/**
 * How the store's connections run node-postgres; the tests' pools use the same, so the store is
 * tested as it runs. Pipelined: a query goes out as soon as it is issued, so statements of one
 * transaction whose results nobody waits for (BEGIN, the inserts of a created job) share one
 * round trip. (Without it, the driver queues them, one round trip each, and pg 8.23 warns that
 * pg 9 will refuse a query issued while another runs.)
 */
export const DRIVER_SETTINGS = { pipeline: true, types: TYPE_PARSERS } as Partial<pg.PoolConfig>;

/** The service's connection to PostgreSQL, and the embedded cluster behind it if there is one. */
export interface Database {
  readonly pool: pg.Pool;
  /** The connection string, for connections outside the pool (LISTEN). */
  readonly url: string;
  /** Where the pool connects (password removed), for logs. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded cluster when it is unset, and migrates the
 * schema (under an advisory lock, so replicas starting together migrate once). The first query
 * runs here so that an unreachable database or a failed migration stops start-up with its
 * reason instead of failing later.
 */
export async function openDatabase(config: Config['database'], logger: Logger): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.url;
  if (url === undefined) {
    embedded = await EmbeddedPostgres.start({
      dataDir: config.embeddedDir,
      port: config.embeddedPort,
      log: (message) => logger.info({ component: 'embedded-postgres' }, message),
    });
    await embedded.ensureDatabase(EMBEDDED_DATABASE);
    url = embedded.url(EMBEDDED_DATABASE);
  }
  // A bounded connect timeout: while the database is unreachable, calls fail fast (UNAVAILABLE)
  // instead of hanging on a connection attempt.
  const pool = new pg.Pool({ connectionString: url, max: config.poolSize, application_name: 'jobscheduler', connectionTimeoutMillis: 5_000, keepAlive: true, ...DRIVER_SETTINGS });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next checkout simply opens a new connection.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  // pg-pool listens for 'error' only while a client is idle. A checked-out client whose connection
  // breaks (the database restarts, the network drops) emits it too, and unheard that kills the
  // process; the query in flight fails with the same error, so hearing it is all that is needed.
  pool.on('connect', (client) => client.on('error', (error) => logger.debug({ err: error }, 'database connection failed while in use')));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw new Error(`cannot reach PostgreSQL at ${redact(url)}: ${(error as Error).message}`);
  }
  try {
    const applied = await new Migrator(pool, MIGRATIONS).up();
    if (applied.length > 0) logger.info({ migrations: applied }, 'database schema migrated');
  } catch (error) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw new Error(`database migration failed, nothing was changed: ${(error as Error).message}`);
  }
  return {
    pool,
    url,
    description: redact(url),
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
