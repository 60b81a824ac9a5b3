import type pg from 'pg';
import { withoutPlainIndexes } from '../../test/support/plain-indexes.js';

export interface DashboardDataSize {
  /** Jobs stored; the first one has `bigHistory` executions, the others share the rest. */
  jobs: number;
  executions: number;
  bigHistory: number;
}

/**
 * The dashboard's data set, written by INSERT … SELECT generate_series (row shapes as in
 * scale-data.ts): `jobs` jobs; job 1 ("big history") ran every 5 s, `bigHistory` times, back from
 * now; every other job ran hourly, so the last hour holds one run of each. A few runs per 1,000
 * are still queued, so queue depth is not zero. Statuses: 60 % succeeded, then failed, timed
 * out, lost and cancelled.
 */
export async function loadDashboardData(pool: pg.Pool, now: Date, size: DashboardDataSize): Promise<{ bigJob: string }> {
  const client = await pool.connect();
  try {
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const perJob = Math.max(1, Math.floor((size.executions - size.bigHistory) / Math.max(1, size.jobs - 1)));
    await withoutPlainIndexes(client, 'jobs', () =>
      client.query(
        `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, labels,
                           state, next_run_at, version, execution_count, created_at, updated_at, paused_at, last_run_at, last_success_at)
         SELECT gen_random_uuid(), CASE WHEN i = 1 THEN 'big history' ELSE 'job ' || i END, (ARRAY['crawl', 'index', 'mail', 'report'])[1 + i % 4],
                CASE WHEN i = 1 THEN '{"kind": "cron", "expression": "*/5 * * * *", "timeZone": "Europe/Berlin"}'::jsonb
                     ELSE '{"kind": "interval", "every": 1, "unit": "hours"}'::jsonb END,
                '{"maxRetries": 3, "initialBackoffMs": 60000, "maxBackoffMs": 3600000, "multiplier": 2, "jitter": 0}',
                'skip', 'skip', 3600000, CASE WHEN i % 10 = 0 THEN '{"team": "search"}'::jsonb ELSE '{}'::jsonb END,
                CASE WHEN i % 100 = 3 THEN 'paused' ELSE 'scheduled' END,
                CASE WHEN i % 100 = 3 THEN NULL ELSE $1::timestamptz + interval '1 hour' + (i % 3600) * interval '1 second' END,
                1, CASE WHEN i = 1 THEN $3::integer ELSE $4::integer END,
                $1::timestamptz - interval '200 days' + i * interval '1 second', $1::timestamptz - interval '1 hour',
                CASE WHEN i % 100 = 3 THEN $1::timestamptz - interval '1 day' END,
                $1::timestamptz - interval '1 hour', $1::timestamptz - interval '2 hours'
         FROM generate_series(1, $2::integer) AS i`,
        [now, size.jobs, size.bigHistory, perJob],
      ),
    );
    const insert = (from: string, occurrence: string) =>
      `INSERT INTO executions (id, job_id, job_type, number, occurrence_at, attempt, trigger, status, priority,
                               queued_at, scheduled_at, started_at, finished_at, worker_id, lease_duration_ms, error_message, error_retryable, result)
       SELECT gen_random_uuid(), j.id, j.type, n, e.at, 1, 'schedule', e.status, 0,
              e.at, e.at,
              CASE WHEN e.status <> 'queued' THEN e.at + interval '20 milliseconds' + (n % 50) * interval '10 milliseconds' END,
              CASE WHEN e.status <> 'queued' THEN e.at + interval '20 milliseconds' + (n % 50) * interval '10 milliseconds' + (n % 997) * interval '10 milliseconds' END,
              CASE WHEN e.status <> 'queued' THEN 'worker-' || (n % 7) END, 30000,
              CASE WHEN e.status IN ('failed', 'timed_out', 'lost', 'cancelled') THEN 'boom' END,
              CASE WHEN e.status IN ('failed', 'timed_out', 'lost') THEN true END,
              CASE WHEN e.status = 'succeeded' THEN '{"ok": true}'::jsonb END
       ${from}
       CROSS JOIN LATERAL (SELECT ${occurrence} AS at,
         CASE WHEN n = j.execution_count AND hashtext(j.id::text) % 200 = 0 THEN 'queued'
              ELSE (ARRAY['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'timed_out', 'lost', 'cancelled'])[1 + n % 10] END AS status) AS e`;
    await withoutPlainIndexes(client, 'executions', async () => {
      await client.query(
        insert(`FROM (SELECT id, type, execution_count FROM jobs WHERE name = 'big history') AS j CROSS JOIN generate_series(1, j.execution_count) AS n`, `$1::timestamptz - (j.execution_count + 1 - n) * interval '5 seconds'`),
        [now],
      );
      await client.query(
        insert(`FROM (SELECT id, type, execution_count FROM jobs WHERE name <> 'big history') AS j CROSS JOIN generate_series(1, j.execution_count) AS n`, `$1::timestamptz - (j.execution_count - n) * interval '1 hour' - (hashtext(j.id::text) & 3599) * interval '1 second'`),
        [now],
      );
    });
    await client.query('VACUUM ANALYZE jobs');
    await client.query('VACUUM ANALYZE executions');
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM jobs WHERE name = 'big history'`);
    return { bigJob: (rows[0] as { id: string }).id };
  } finally {
    client.release();
  }
}
