import { expect } from 'chai';
import type pg from 'pg';
import { PgClusterGaugesStore } from '../../../src/adapters/pg/cluster-gauges-sql.js';
import { PgJobStore } from '../../../src/adapters/pg/job-sql.js';
import { T0 } from './support/builders.js';
import { loadJobs } from './support/realistic-data.js';
import { describePlan, explain, indexesUsed, plannerDatabase, recordingQueryable, seqScans } from './support/query-plan.js';

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
  let pool: pg.Pool;
  plannerDatabase(async (fresh) => {
    pool = fresh;
    await loadJobs(pool, T0, JOBS);
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

  it('claimDue with a lookahead uses the jobs_due index too', async () => {
    const { db, queries } = recordingQueryable();
    await new PgJobStore(db).claimDue(T0, 10, new Date(T0.getTime() + 1_000));
    const plan = await explain(pool, queries[0] as (typeof queries)[number]);
    expect(indexesUsed(plan), describePlan(plan)).to.include('jobs_due');
    expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
  });

  it('countDue uses the jobs_due index too', async () => {
    const { db, queries } = recordingQueryable();
    await new PgJobStore(db).countDue(new Date(T0.getTime() + 1_000), 500);
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

  it("the dead-man's switch queries read jobs_success_expected, not the whole table", async () => {
    // Some jobs with the switch, as a realistic share: the index must still win.
    await pool.query(`UPDATE jobs SET expect_success_within_ms = 3600000 WHERE id IN (SELECT id FROM jobs WHERE state = 'scheduled' LIMIT 500)`);
    await pool.query('ANALYZE jobs');
    const { db, queries } = recordingQueryable();
    await new PgClusterGaugesStore(db).read(T0, 100);
    const overdue = queries.filter((query) => query.text.includes('expect_success_within_ms'));
    expect(overdue).to.have.length(2);
    for (const query of overdue) {
      const plan = await explain(pool, query);
      expect(indexesUsed(plan), describePlan(plan)).to.include('jobs_success_expected');
      expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
    }
  });
});
