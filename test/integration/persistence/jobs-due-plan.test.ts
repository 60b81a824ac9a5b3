import { expect } from 'chai';
import type pg from 'pg';
import { PgJobStore } from '../../../src/adapters/pg/job-sql.js';
import { TestDatabase } from '../../support/test-database.js';
import { T0 } from './support/builders.js';
import { bulkLoad } from './support/bulk-load.js';
import { describePlan, explain, indexesUsed, recordingQueryable, seqScans } from './support/query-plan.js';

const JOBS = 1_000_000;

/**
 * The dispatcher's due-job query on a realistically large table: one million jobs, most
 * scheduled over the next 30 days, some idle (paused, completed, failed, cancelled: no next
 * run), a few thousand due now. After ANALYZE the real planner, with no hints, must choose the
 * partial jobs_due index. Built with one INSERT … SELECT generate_series, valid per the CHECKs
 * (about 15 s on two cores; see bulkLoad).
 */
describe(`the due-job query on ${JOBS.toLocaleString('en')} jobs (PostgreSQL planner)`, function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await TestDatabase.create();
    pool = database.pool(2);
    // i % 250 = 0: due now (4,000, pending or scheduled up to 10 minutes late); otherwise by
    // i % 100: paused, completed, cancelled, failed, running (next run in the future), and the
    // rest scheduled up to 30 days ahead.
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
      [T0, JOBS],
    );
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('holds the shape the test means', async () => {
    const { rows } = await pool.query<{ due: string; idle: string; total: string }>(
      `SELECT count(*) FILTER (WHERE state IN ('pending', 'scheduled', 'running') AND next_run_at <= $1) AS due,
              count(*) FILTER (WHERE next_run_at IS NULL) AS idle, count(*) AS total FROM jobs`,
      [T0],
    );
    // Idle: 11 % of the rows by i % 100, less the 2,000 of those that i % 500 = 0 made due.
    expect(rows[0]).to.deep.equal({ due: '4000', idle: '108000', total: String(JOBS) });
  });

  it('claimDue uses the jobs_due index', async () => {
    const { db, queries } = recordingQueryable();
    await new PgJobStore(db).claimDue(T0, 10);
    expect(queries).to.have.length(1);
    const plan = await explain(pool, queries[0] as (typeof queries)[number]);
    expect(indexesUsed(plan), describePlan(plan)).to.include('jobs_due');
    expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
  });

  it('nextDueAt uses the jobs_due index too', async () => {
    const { db, queries } = recordingQueryable();
    await new PgJobStore(db).nextDueAt();
    const plan = await explain(pool, queries[0] as (typeof queries)[number]);
    expect(indexesUsed(plan), describePlan(plan)).to.include('jobs_due');
    expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
  });
});
