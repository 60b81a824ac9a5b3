import type pg from 'pg';
import { bulkLoad } from './bulk-load.js';

/**
 * Realistically shaped tables for query-plan tests, each built by one INSERT … SELECT
 * generate_series whose rows satisfy every CHECK of the schema. "now" is a parameter, as in the
 * service. ANALYZEd when done.
 */

/**
 * `count` jobs: i % 250 = 0 due now (pending or scheduled, up to 10 minutes late); otherwise by
 * i % 100: paused, completed, cancelled, failed (no next run), running (next run ahead), and the
 * rest scheduled up to 30 days ahead.
 */
export async function loadJobs(pool: pg.Pool, now: Date, count: number): Promise<void> {
  await bulkLoad(
    pool,
    'jobs',
    `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, labels,
                           state, next_run_at, version, created_at, updated_at, paused_at, cancelled_at, finished_at)
         SELECT gen_random_uuid(), 'job ' || i, (ARRAY['crawl', 'index', 'mail', 'report'])[1 + i % 4],
                '{"kind": "interval", "every": 5, "unit": "minutes"}', '{"maxRetries": 3, "initialBackoffMs": 60000, "maxBackoffMs": 3600000, "multiplier": 2, "jitter": 0}',
                'skip', 'skip', 3600000, CASE WHEN i % 10 = 0 THEN '{"team": "search"}'::jsonb ELSE '{}'::jsonb END,
                k.state,
                CASE WHEN k.state IN ('pending', 'scheduled', 'running') THEN
                  CASE WHEN i % 250 = 0 THEN $1::timestamptz - random() * interval '10 minutes' ELSE $1::timestamptz + interval '1 second' + random() * interval '30 days' END
                END,
                1, $1::timestamptz - random() * interval '365 days', $1::timestamptz,
                CASE WHEN k.state = 'paused' THEN $1::timestamptz - interval '1 day' END,
                CASE WHEN k.state = 'cancelled' THEN $1::timestamptz - interval '1 day' END,
                CASE WHEN k.state IN ('completed', 'failed') THEN $1::timestamptz - interval '1 day' END
         FROM generate_series(1, $2::integer) AS i
         CROSS JOIN LATERAL (SELECT CASE
           WHEN i % 250 = 0 THEN (CASE WHEN i % 500 = 0 THEN 'pending' ELSE 'scheduled' END)
           WHEN i % 100 < 4 THEN 'paused'
           WHEN i % 100 < 8 THEN 'completed'
           WHEN i % 100 < 10 THEN 'cancelled'
           WHEN i % 100 < 11 THEN 'failed'
           WHEN i % 100 < 13 THEN 'running'
           ELSE 'scheduled' END AS state) AS k`,
    [now, count],
  );
}

/**
 * `jobs` running jobs with `perJob` executions each, all finished except each job's newest: for
 * even job numbers it is queued (due for job numbers divisible by 4, else 10 minutes ahead), for
 * odd ones running (about a fifth with a lapsed lease). Job ids are the job numbers in hex.
 */
export async function loadExecutions(pool: pg.Pool, now: Date, jobs: number, perJob: number): Promise<void> {
  await pool.query(
    `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, state, next_run_at,
                           version, execution_count, priority, attempt_timeout_ms, created_at, updated_at)
         SELECT lpad(to_hex(j), 32, '0')::uuid, 'job ' || j, (ARRAY['crawl', 'index', 'mail', 'report'])[1 + j % 4],
                '{"kind": "interval", "every": 1, "unit": "hours"}', '{"maxRetries": 3, "initialBackoffMs": 60000, "maxBackoffMs": 3600000, "multiplier": 2, "jitter": 0}',
                'skip', 'skip', 3600000, 'running', $1::timestamptz + interval '1 hour', 1, $2, j % 5 - 2,
                CASE WHEN j % 3 = 0 THEN 600000 END, $1::timestamptz - interval '200 days', $1::timestamptz
         FROM generate_series(1, $3::integer) AS j`,
    [now, perJob, jobs],
  );
  await bulkLoad(
    pool,
    'executions',
    `INSERT INTO executions (id, job_id, job_type, number, occurrence_at, attempt, trigger, status, priority, attempt_timeout_ms,
                                 queued_at, scheduled_at, started_at, finished_at, worker_id, lease_token, lease_duration_ms,
                                 lease_expires_at, deadline_at, error_message)
         SELECT gen_random_uuid(), j.id, j.type, n, e.occurrence_at, 1, 'schedule', e.status, j.priority, j.attempt_timeout_ms,
                e.occurrence_at, CASE WHEN e.status = 'queued' AND right(j.id::text, 1) NOT IN ('0', '4', '8', 'c') THEN $1::timestamptz + interval '10 minutes' ELSE e.occurrence_at END,
                CASE WHEN e.status NOT IN ('queued') THEN e.occurrence_at END,
                CASE WHEN e.status NOT IN ('queued', 'running') THEN e.occurrence_at + interval '42 seconds' END,
                CASE WHEN e.status <> 'queued' THEN 'worker-' || (n % 7) END,
                CASE WHEN e.status = 'running' THEN gen_random_uuid() END,
                CASE WHEN e.status <> 'queued' THEN 30000 END,
                CASE WHEN e.status = 'running' THEN $1::timestamptz + CASE WHEN random() < 0.2 THEN interval '-1 minute' ELSE interval '20 seconds' END END,
                CASE WHEN e.status = 'running' AND j.attempt_timeout_ms IS NOT NULL THEN e.occurrence_at + interval '10 minutes' END,
                CASE WHEN e.status IN ('failed', 'timed_out', 'lost') THEN 'boom' END
         FROM jobs j CROSS JOIN generate_series(1, $2::integer) AS n
         CROSS JOIN LATERAL (SELECT $1::timestamptz - (${perJob} - n) * interval '1 hour' - interval '1 minute' AS occurrence_at,
           CASE WHEN n = ${perJob} THEN (CASE WHEN right(j.id::text, 1) IN ('0', '2', '4', '6', '8', 'a', 'c', 'e') THEN 'queued' ELSE 'running' END)
                ELSE (ARRAY['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'timed_out', 'lost', 'cancelled'])[1 + n % 10]
           END AS status) AS e`,
    [now, perJob],
  );
  await pool.query('ANALYZE jobs');
}
