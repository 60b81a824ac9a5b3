import type pg from 'pg';
import { StoreUnavailableError, type Store, type Transaction, type TransactionOptions } from '../../application/ports/store.js';
import { PgEventStore } from './event-sql.js';
import { PgExecutionStore } from './execution-sql.js';
import { PgJobStore } from './job-sql.js';
import { PgSchedulerMetricsStore } from './scheduler-metrics-sql.js';

/**
 * The Store port on PostgreSQL: each transaction() is one BEGIN … COMMIT (READ COMMITTED) on one
 * pooled connection; read-only and single-statement work runs on one connection without the block.
 */
export class PgStore implements Store {
  constructor(private readonly pool: pg.Pool) {}

  async transaction<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw asUnavailable(error);
    });
    const stores = { jobs: new PgJobStore(client), executions: new PgExecutionStore(client), events: new PgEventStore(client), metrics: new PgSchedulerMetricsStore(client) };
    if (options.readOnly || options.singleStatement) {
      let failed: unknown;
      try {
        return await work(stores);
      } catch (error) {
        failed = asUnavailable(error);
        throw failed;
      } finally {
        // A connection that failed is discarded rather than returned to the pool.
        client.release(failed instanceof StoreUnavailableError);
      }
    }
    let broken = false;
    try {
      // One round trip either way: a simple query may hold several statements.
      await client.query(options.durable === false ? 'BEGIN; SET LOCAL synchronous_commit TO off' : 'BEGIN');
      const result = await work(stores);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw asUnavailable(error);
    } finally {
      client.release(broken);
    }
  }
}

/** SQLSTATE class 08 (connection exception) and 57P0x (shutdown, cannot connect now). */
const UNAVAILABLE_STATES = /^(08|57P0[1-3])/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended/i;

/** Connection failures become StoreUnavailableError; everything else is left as it is. */
function asUnavailable(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  const unavailable = (typeof e?.code === 'string' && (UNAVAILABLE_STATES.test(e.code) || UNAVAILABLE_ERRNOS.has(e.code))) || UNAVAILABLE_MESSAGES.test(e?.message ?? '');
  return unavailable ? new StoreUnavailableError(`the database is unavailable: ${e.message ?? String(error)}`) : error;
}
