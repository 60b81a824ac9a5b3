import type pg from 'pg';
import type { Store, Transaction } from '../../application/ports/store.js';
import { PgEventStore } from './event-sql.js';
import { PgExecutionStore } from './execution-sql.js';
import { PgJobStore } from './job-sql.js';
import { PgSchedulerMetricsStore } from './scheduler-metrics-sql.js';

/** The Store port on PostgreSQL: each transaction() is one BEGIN … COMMIT on one pooled connection. */
export class PgStore implements Store {
  constructor(private readonly pool: pg.Pool) {}

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work({ jobs: new PgJobStore(client), executions: new PgExecutionStore(client), events: new PgEventStore(client), metrics: new PgSchedulerMetricsStore(client) });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
