import pg from 'pg';
import { openLoop } from './open-loop.js';

/**
 * PostgreSQL round trips that read nothing (`SELECT $1`, prepared), at a steady rate from this
 * process over a pool of `poolSize` connections, all opened before the clock starts: the floor
 * under the p99 of any RPC that asks the database once. A warm-up at the same rate on the same
 * connections first; then the measured run's latencies. Open loop, as the load generator's steady
 * calls.
 */
export async function postgresRoundTrips(databaseUrl: string, options: { ratePerSecond: number; warmUpSeconds: number; seconds: number; poolSize: number }): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize });
  pool.on('error', () => undefined);
  try {
    const clients = await Promise.all(Array.from({ length: options.poolSize }, () => pool.connect()));
    for (const client of clients) client.release();
    const roundTrip = (i: number) => pool.query({ name: 'bench.floor', text: 'SELECT $1::integer AS n', values: [i] });
    await openLoop(options.ratePerSecond, options.warmUpSeconds, roundTrip);
    const run = await openLoop(options.ratePerSecond, options.seconds, roundTrip);
    if (run.errors > 0) throw new Error(`${run.errors} PostgreSQL round trips failed, the first with ${run.firstError}`);
    return run.latencies;
  } finally {
    await pool.end();
  }
}
