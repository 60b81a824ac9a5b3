import pg from 'pg';
import type { DatabaseProbe } from '../../application/ports/database-probe.js';

/**
 * SELECT 1 on a connection of its own, not on the pool: a pool busy with real work must not make
 * the replica look unhealthy, and a probe must not queue behind that work. The connection is
 * kept between probes and replaced after any failure; connect and query are each bounded by the
 * timeout, so an unreachable host (packets dropped, not refused) fails the probe in time too.
 */
export class PgDatabaseProbe implements DatabaseProbe {
  private client: pg.Client | undefined;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async ping(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      // query_timeout (set at connect) bounds the query.
      await client.query('SELECT 1');
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.discard();
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: this.timeoutMs,
      query_timeout: this.timeoutMs,
      application_name: 'jobscheduler health probe',
    });
    // A connection that breaks between probes emits 'error'; unhandled, that would crash the process.
    client.on('error', () => {
      if (this.client === client) this.discard();
    });
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  /** Drops the connection without waiting: on a dead network, a polite goodbye could hang. */
  private discard(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
  }
}
