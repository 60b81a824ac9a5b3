import type pg from 'pg';
import { withoutPlainIndexes } from '../../test/support/plain-indexes.js';

/**
 * Stored data for the scale scenario, written straight into the database by INSERT … SELECT
 * generate_series (the row shapes follow test/integration/persistence/support/realistic-data.ts
 * and satisfy every CHECK of the schema). The table's plain indexes are dropped for the load and
 * rebuilt afterwards from their own definitions, which is several times faster than maintaining
 * them row by row; then VACUUM ANALYZE, as a long-lived table would be.
 *
 * - `jobs` jobs, of which executions / 100 have a history of 100 finished executions each; all
 *   are due at least an hour from now (nothing fires during the measurement), by state: 4 %
 *   paused, 4 % completed, 2 % cancelled, 1 % failed (no next run), the rest scheduled.
 * - executions: succeeded (60 %), failed, timed out, lost, cancelled; hourly occurrences.
 */
export async function loadScaleData(pool: pg.Pool, now: Date, jobs: number, executions: number): Promise<{ historyJobs: number }> {
  const client = await pool.connect();
  try {
    // A bulk load: nothing here needs to wait for the WAL flush, and index builds want memory.
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    return await load(client, now, jobs, executions);
  } finally {
    client.release();
  }
}

async function load(pool: pg.PoolClient, now: Date, jobs: number, executions: number): Promise<{ historyJobs: number }> {
  const historyJobs = Math.max(1, Math.floor(executions / 100));
  const perJob = Math.max(1, Math.round(executions / historyJobs));
  await withoutPlainIndexes(pool, 'jobs', () =>
    pool.query(
      `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, labels,
                         state, next_run_at, version, execution_count, created_at, updated_at, paused_at, cancelled_at, finished_at, last_run_at, last_success_at)
       SELECT gen_random_uuid(), 'job ' || i, (ARRAY['crawl', 'index', 'mail', 'report'])[1 + i % 4],
              '{"kind": "interval", "every": 1, "unit": "hours"}', '{"maxRetries": 3, "initialBackoffMs": 60000, "maxBackoffMs": 3600000, "multiplier": 2, "jitter": 0}',
              'skip', 'skip', 3600000, CASE WHEN i % 10 = 0 THEN '{"team": "search"}'::jsonb ELSE '{}'::jsonb END,
              k.state,
              CASE WHEN k.state = 'scheduled' THEN $1::timestamptz + interval '1 hour' + random() * interval '30 days' END,
              1, CASE WHEN i <= $3 THEN $4::integer ELSE 0 END,
              $1::timestamptz - interval '200 days', $1::timestamptz - interval '1 hour',
              CASE WHEN k.state = 'paused' THEN $1::timestamptz - interval '1 day' END,
              CASE WHEN k.state = 'cancelled' THEN $1::timestamptz - interval '1 day' END,
              CASE WHEN k.state IN ('completed', 'failed') THEN $1::timestamptz - interval '1 day' END,
              CASE WHEN i <= $3 THEN $1::timestamptz - interval '1 hour' END,
              CASE WHEN i <= $3 THEN $1::timestamptz - interval '2 hours' END
       FROM generate_series(1, $2::integer) AS i
       CROSS JOIN LATERAL (SELECT CASE
         WHEN i <= $3 THEN 'scheduled'
         WHEN i % 100 < 4 THEN 'paused'
         WHEN i % 100 < 8 THEN 'completed'
         WHEN i % 100 < 10 THEN 'cancelled'
         WHEN i % 100 < 11 THEN 'failed'
         ELSE 'scheduled' END AS state) AS k`,
      [now, Math.max(jobs, historyJobs), historyJobs, perJob],
    ),
  );
  await withoutPlainIndexes(pool, 'executions', () =>
    pool.query(
      `INSERT INTO executions (id, job_id, job_type, number, occurrence_at, attempt, trigger, status, priority,
                               queued_at, scheduled_at, started_at, finished_at, worker_id, lease_duration_ms, error_message, error_retryable, result)
       SELECT gen_random_uuid(), j.id, j.type, n, e.occurrence_at, 1, 'schedule', e.status, 0,
              e.occurrence_at, e.occurrence_at, e.occurrence_at + interval '20 milliseconds',
              e.occurrence_at + interval '20 milliseconds' + random() * interval '60 seconds',
              'worker-' || (n % 7), 30000,
              CASE WHEN e.status IN ('failed', 'timed_out', 'lost', 'cancelled') THEN 'boom' END,
              CASE WHEN e.status IN ('failed', 'timed_out', 'lost') THEN true END,
              CASE WHEN e.status = 'succeeded' THEN '{"ok": true}'::jsonb END
       FROM (SELECT id, type FROM jobs WHERE execution_count > 0) AS j
       CROSS JOIN generate_series(1, $2::integer) AS n
       CROSS JOIN LATERAL (SELECT $1::timestamptz - ($2::integer + 1 - n) * interval '1 hour' AS occurrence_at,
         (ARRAY['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'timed_out', 'lost', 'cancelled'])[1 + n % 10] AS status) AS e`,
      [now, perJob],
    ),
  );
  await pool.query('VACUUM ANALYZE jobs');
  await pool.query('VACUUM ANALYZE executions');
  return { historyJobs };
}
