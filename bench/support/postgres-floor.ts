import pg from 'pg';
import { sleep } from './time.js';

/**
 * PostgreSQL round trips that read nothing (`SELECT $1`, prepared), at a steady rate from this
 * process over a pool of `poolSize` connections, all opened before the clock starts: the floor
 * under the p99 of any RPC that asks the database once. Open loop, as the load generator's
 * steady calls: each leaves on its timetable whether or not earlier ones answered.
 */
export async function postgresRoundTrips(databaseUrl: string, options: { ratePerSecond: number; seconds: number; poolSize: number }): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize });
  pool.on('error', () => undefined);
  try {
    const clients = await Promise.all(Array.from({ length: options.poolSize }, () => pool.connect()));
    for (const client of clients) client.release();
    const roundTrip = (i: number) => pool.query({ name: 'bench.floor', text: 'SELECT $1::integer AS n', values: [i] });
    const latencies: number[] = [];
    const total = Math.round(options.ratePerSecond * options.seconds);
    const intervalMs = 1000 / options.ratePerSecond;
    const calls: Promise<void>[] = [];
    const origin = performance.now();
    let sent = 0;
    while (sent < total) {
      const now = performance.now();
      while (sent < total && origin + sent * intervalMs <= now) {
        const started = performance.now();
        calls.push(roundTrip(sent).then(() => void latencies.push(performance.now() - started)));
        sent += 1;
      }
      await sleep(origin + sent * intervalMs - performance.now());
    }
    await Promise.all(calls);
    return latencies;
  } finally {
    await pool.end();
  }
}
