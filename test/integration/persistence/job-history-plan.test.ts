import { expect } from 'chai';
import type pg from 'pg';
import { PgExecutionStore } from '../../../src/adapters/pg/execution-sql.js';
import type { Queryable } from '../../../src/adapters/pg/queryable.js';
import { T0 } from './support/builders.js';
import { describePlan, indexesUsed, plannerDatabase, plansOf, recordingQueryable, seqScans, type RecordedQuery } from './support/query-plan.js';

/**
 * GetJobStats and a job's ListExecutions read one job's history. Planned per call, the
 * statistics statement cost PostgreSQL about five times more than running it planned once
 * (docs/performance.md, "One job's history, planned once"). They are prepared statements whose
 * generic plan PostgreSQL keeps, and that plan still walks the job's rows by
 * executions_number_per_job; a long history's statistics are planned for it.
 */
describe("one job's history: GetJobStats and a job's ListExecutions (PostgreSQL planner)", function () {
  this.timeout(120_000);
  let pool: pg.Pool;
  let jobIds: string[];
  plannerDatabase(async (fresh) => {
    pool = fresh;
    await pool.query(
      `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, state, version, execution_count, created_at, updated_at, paused_at)
       SELECT gen_random_uuid(), 'job ' || i, 'crawl', '{"kind": "interval", "every": 1, "unit": "hours"}', '{}', 'skip', 'skip', 3600000, 'paused', 2, 40, $1, $1, $1
       FROM generate_series(1, 500) AS i`,
      [T0],
    );
    await pool.query(
      `INSERT INTO executions (id, job_id, job_type, number, occurrence_at, attempt, trigger, status, priority, queued_at, scheduled_at, started_at, finished_at)
       SELECT gen_random_uuid(), id, type, n, $1::timestamptz + n * interval '1 hour', 1, 'schedule', CASE WHEN n % 4 = 0 THEN 'failed' ELSE 'succeeded' END, 0,
              $1::timestamptz + n * interval '1 hour', $1::timestamptz + n * interval '1 hour', $1::timestamptz + n * interval '1 hour',
              $1::timestamptz + n * interval '1 hour' + n * interval '1 second'
       FROM jobs CROSS JOIN generate_series(1, 40) AS n`,
      [T0],
    );
    await pool.query('ANALYZE jobs');
    await pool.query('ANALYZE executions');
    jobIds = (await pool.query<{ id: string }>('SELECT id FROM jobs ORDER BY id')).rows.map((row) => row.id);
  });

  /** The one statement `read` sends (what it makes of the recorder's empty answer is beside the point). */
  async function statementOf(read: (store: PgExecutionStore) => Promise<unknown>): Promise<RecordedQuery> {
    const { db, queries } = recordingQueryable();
    await read(new PgExecutionStore(db)).catch(() => undefined);
    expect(queries).to.have.length(1);
    return queries[0]!;
  }

  async function expectPreparedWalkOfOneJob(query: RecordedQuery): Promise<void> {
    expect(query.name, 'a prepared statement').to.be.a('string');
    for (const plan of await plansOf(pool, query)) {
      expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
      expect(indexesUsed(plan), describePlan(plan)).to.include('executions_number_per_job');
    }
  }

  it("the statistics, the latest execution and a job's pages are prepared and walk executions_number_per_job", async () => {
    const jobId = jobIds[0]!;
    await expectPreparedWalkOfOneJob(await statementOf((store) => store.statistics(jobId, 40)));
    await expectPreparedWalkOfOneJob(await statementOf((store) => store.list({ jobId }, undefined, 1)));
    await expectPreparedWalkOfOneJob(await statementOf((store) => store.list({ jobId }, undefined, 50)));
    await expectPreparedWalkOfOneJob(await statementOf((store) => store.list({ jobId }, { number: 20, queuedAt: T0, id: jobId }, 50)));
  });

  // A plan made for a typical job read a history of 500,000 executions 1.6 times slower than one
  // made for it; so does a caller that does not say how large the history is.
  it('the statistics of a long history, or of one whose size is not given, are planned for that job', async () => {
    const jobId = jobIds[0]!;
    for (const read of [(store: PgExecutionStore) => store.statistics(jobId, 1_001), (store: PgExecutionStore) => store.statistics(jobId)]) {
      const query = await statementOf(read);
      expect(query.name).to.equal(undefined);
      expect(query.text).to.contain('WITH counts AS');
    }
  });

  it('a connection plans the statistics and the latest execution once, not per call', async () => {
    const client = await pool.connect();
    try {
      const store = new PgExecutionStore(client as unknown as Queryable);
      for (const jobId of jobIds.slice(0, 20)) {
        await store.statistics(jobId, 40);
        await store.list({ jobId }, undefined, 1);
      }
      const { rows } = await client.query<{ name: string; generic_plans: string; custom_plans: string }>(
        `SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name IN ('executions.statistics', 'executions.job-latest') ORDER BY name`,
      );
      // PostgreSQL plans the first five executions for their values, then keeps the generic plan.
      expect(rows.map((row) => [row.name, Number(row.generic_plans), Number(row.custom_plans)])).to.deep.equal([
        ['executions.job-latest', 15, 5],
        ['executions.statistics', 15, 5],
      ]);
    } finally {
      client.release();
    }
  });

  it("a job's pages read the same rows whichever statement serves them", async () => {
    const store = new PgExecutionStore(pool);
    const jobId = jobIds[1]!;
    const latest = await store.list({ jobId }, undefined, 1);
    const first = await store.list({ jobId }, undefined, 15);
    const second = await store.list({ jobId }, first.next, 15);
    const filtered = await store.list({ jobId, statuses: ['succeeded', 'failed'] }, undefined, 40);
    expect(latest.executions.map((e) => e.number)).to.deep.equal([40]);
    expect(latest.next?.number).to.equal(40);
    expect([...first.executions, ...second.executions].map((e) => e.number)).to.deep.equal(filtered.executions.slice(0, 30).map((e) => e.number));
    expect(filtered.executions.map((e) => e.number)).to.deep.equal(Array.from({ length: 40 }, (_, i) => 40 - i));
  });
});
