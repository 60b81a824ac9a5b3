import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PgExecutionStore } from '../../../src/adapters/pg/execution-sql.js';
import { TestDatabase } from '../../support/test-database.js';
import { T0 } from './support/builders.js';
import { bulkLoad } from './support/bulk-load.js';
import { describePlan, explain, indexesUsed, recordingQueryable, seqScans, type RecordedQuery } from './support/query-plan.js';

const JOBS = 2_000;
const PER_JOB = 100;

/**
 * The worker and reaper queries on a realistic executions table: 200,000 executions of 2,000
 * jobs, all finished except each job's newest (half of the jobs: queued, half of those due;
 * the other half: running, about a fifth of those with lapsed leases). Job ids are the job
 * numbers in hex, so the last digit splits the jobs exactly. After ANALYZE the planner must use the partial
 * indexes made for them, not scan the history.
 */
describe(`the acquire and reaper queries on ${(JOBS * PER_JOB).toLocaleString('en')} executions (PostgreSQL planner)`, function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await TestDatabase.create();
    pool = database.pool(2);
    await pool.query(
      `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, state, next_run_at,
                         version, execution_count, priority, attempt_timeout_ms, created_at, updated_at)
       SELECT lpad(to_hex(j), 32, '0')::uuid, 'job ' || j, (ARRAY['crawl', 'index', 'mail', 'report'])[1 + j % 4],
              '{"kind": "interval", "every": 1, "unit": "hours"}', '{"maxRetries": 3, "initialBackoffMs": 60000, "maxBackoffMs": 3600000, "multiplier": 2, "jitter": 0}',
              'skip', 'skip', 3600000, 'running', $1::timestamptz + interval '1 hour', 1, $2, j % 5 - 2,
              CASE WHEN j % 3 = 0 THEN 600000 END, $1::timestamptz - interval '200 days', $1::timestamptz
       FROM generate_series(1, $3::integer) AS j`,
      [T0, PER_JOB, JOBS],
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
       CROSS JOIN LATERAL (SELECT $1::timestamptz - (${PER_JOB} - n) * interval '1 hour' - interval '1 minute' AS occurrence_at,
         CASE WHEN n = ${PER_JOB} THEN (CASE WHEN right(j.id::text, 1) IN ('0', '2', '4', '6', '8', 'a', 'c', 'e') THEN 'queued' ELSE 'running' END)
              ELSE (ARRAY['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'timed_out', 'lost', 'cancelled'])[1 + n % 10]
         END AS status) AS e`,
      [T0, PER_JOB],
    );
    await pool.query('ANALYZE jobs');
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function planOf(run: (store: PgExecutionStore) => Promise<unknown>) {
    const { db, queries } = recordingQueryable();
    await run(new PgExecutionStore(db));
    expect(queries).to.have.length(1);
    return explain(pool, queries[0] as RecordedQuery);
  }

  it('holds the shape the test means', async () => {
    const { rows } = await pool.query<{ status: string; count: string }>(`SELECT status, count(*) FROM executions GROUP BY status ORDER BY status`);
    const counts = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
    expect(counts.queued).to.equal(JOBS / 2);
    const due = await pool.query<{ count: string }>(`SELECT count(*) FROM executions WHERE status = 'queued' AND scheduled_at <= $1`, [T0]);
    expect(Number(due.rows[0]?.count)).to.equal(JOBS / 4);
    expect(counts.running).to.equal(JOBS / 2);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).to.equal(JOBS * PER_JOB);
  });

  for (const jobTypes of [['crawl'], ['crawl', 'index', 'mail']]) {
    it(`acquire (types ${jobTypes.join(', ')}) uses executions_queue`, async () => {
      const plan = await planOf((store) => store.acquire({ workerId: 'w', jobTypes, capacity: 10, leaseDurationMs: 30_000, now: T0 }, randomUUID));
      expect(indexesUsed(plan), describePlan(plan)).to.include('executions_queue');
      expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
    });
  }

  it('nextScheduledAt uses executions_queue', async () => {
    const plan = await planOf((store) => store.nextScheduledAt(['crawl'], T0));
    expect(indexesUsed(plan), describePlan(plan)).to.include('executions_queue');
    expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
  });

  it('claimExpired reads only running rows, through the lease or deadline index', async () => {
    const plan = await planOf((store) => store.claimExpired(T0, 50));
    const used = indexesUsed(plan);
    expect(used.length, describePlan(plan)).to.be.greaterThan(0);
    expect(used.every((name) => name === 'executions_leases' || name === 'executions_deadlines'), describePlan(plan)).to.equal(true);
    expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
  });
});
