import { PgOccurrenceStore } from './occurrence-sql.js';
import type pg from 'pg';
import { StoreUnavailableError, type Store, type Transaction, type TransactionOptions } from '../../application/ports/store.js';
import { PgDependencyStore } from './dependency-sql.js';
import { PgEventStore } from './event-sql.js';
import { PgExecutionStore } from './execution-sql.js';
import { PgJobStore } from './job-sql.js';
import { PgQuotaStore } from './quota-sql.js';
import { PgSchedulerMetricsStore } from './scheduler-metrics-sql.js';
import { PgWebhookStore } from './webhook-sql.js';

/**
 * The Store port on PostgreSQL: each transaction() is one BEGIN … COMMIT (READ COMMITTED) on one
 * pooled connection; read-only and single-statement work runs on one connection without the block.
 */
export class PgStore implements Store {
  constructor(private readonly pool: pg.Pool) {}

  async transaction<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw asUnavailable(error, false);
    });
    const stores = { jobs: new PgJobStore(client), executions: new PgExecutionStore(client), events: new PgEventStore(client), metrics: new PgSchedulerMetricsStore(client), dependencies: new PgDependencyStore(client), quotas: new PgQuotaStore(client), webhooks: new PgWebhookStore(client), occurrences: new PgOccurrenceStore(client) };
    if (options.readOnly || options.singleStatement) {
      let failed: unknown;
      try {
        return await work(stores);
      } catch (error) {
        // A single write statement autocommits: a connection lost during it leaves its outcome unknown.
        failed = asUnavailable(error, !options.readOnly);
        throw failed;
      } finally {
        // A connection that failed is discarded rather than returned to the pool.
        client.release(failed instanceof StoreUnavailableError);
      }
    }
    let broken = false;
    let committing = false;
    try {
      // Not waited for: on a pipelined connection the transaction's first statement follows it
      // in the same round trip, and fails with it if it failed. (A simple query may hold several
      // statements.)
      const begun = client.query(options.durable === false ? 'BEGIN; SET LOCAL synchronous_commit TO off' : 'BEGIN');
      begun.catch(() => undefined);
      const result = await work(stores);
      await begun;
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw asUnavailable(error, committing);
    } finally {
      client.release(broken);
    }
  }
}

/**
 * SQLSTATEs after which the transaction is rolled back and the same request may simply be made
 * again: connection exceptions (class 08); the server shutting down or not accepting connections
 * yet (57P01-57P03); a statement cancelled, by statement_timeout or pg_cancel_backend (57014); a
 * lock not granted within lock_timeout (55P03); a deadlock or serialization victim (40P01,
 * 40001); insufficient resources, such as a full disk or too many connections (class 53); a
 * server that turned read-only, as a demoted primary does during a failover (25006); and system
 * errors such as I/O failures (class 58). None of them is a bug of the request or of the service.
 */
const UNAVAILABLE_STATES = /^(08|53|58|57P0[1-3]|57014|55P03|40001|40P01|25006)/;
/** A COMMIT refused with these SQLSTATEs certainly rolled back (a serialization failure or deferred constraint at commit). */
const ROLLED_BACK_AT_COMMIT = /^(40|23)/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended/i;

/**
 * Connection failures and transient database conditions become StoreUnavailableError; everything
 * else is left as it is. A connection lost while COMMIT was on its way leaves the outcome unknown:
 * the transaction may have committed.
 */
function asUnavailable(error: unknown, committing: boolean): unknown {
  const e = error as { code?: string; message?: string };
  const unavailable = (typeof e?.code === 'string' && (UNAVAILABLE_STATES.test(e.code) || UNAVAILABLE_ERRNOS.has(e.code))) || UNAVAILABLE_MESSAGES.test(e?.message ?? '');
  if (!unavailable) return error;
  const outcomeUnknown = committing && !(typeof e?.code === 'string' && ROLLED_BACK_AT_COMMIT.test(e.code));
  return new StoreUnavailableError(`the database is unavailable: ${e.message ?? String(error)}`, { outcomeUnknown });
}
