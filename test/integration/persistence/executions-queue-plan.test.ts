import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PgExecutionStore } from '../../../src/adapters/pg/execution-sql.js';
import { T0 } from './support/builders.js';
import { loadExecutions } from './support/realistic-data.js';
import { describePlan, explain, indexesUsed, nodesOf, plannerDatabase, type PlanNode, type RecordedQuery, recordingQueryable, seqScans } from './support/query-plan.js';

const JOBS = 2_000;
const PER_JOB = 100;

/**
 * The worker and reaper queries on a realistic executions table: 200,000 executions of 2,000
 * jobs, all finished except each job's newest (see loadExecutions). After ANALYZE the planner
 * must use the partial indexes made for these queries, not scan the history.
 */
describe(`the acquire and reaper queries on ${(JOBS * PER_JOB).toLocaleString('en')} executions (PostgreSQL planner)`, function () {
  this.timeout(120_000);
  let pool: pg.Pool;
  plannerDatabase(async (fresh) => {
    pool = fresh;
    await loadExecutions(pool, T0, JOBS, PER_JOB);
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

  for (const jobTypes of [['crawl'], ['crawl', 'index', 'mail']]) {
    it(`acquire (types ${jobTypes.join(', ')}) reads the queue in index order, never the whole backlog`, async () => {
      // An acquire must cost the same with 10 or 100,000 executions queued: the index scan stops
      // after `capacity` rows per type instead of reading and sorting every queued row.
      const capacity = 10;
      const { db, queries } = recordingQueryable();
      await new PgExecutionStore(db).acquire({ workerId: 'w', jobTypes, capacity, leaseDurationMs: 30_000, now: T0 }, randomUUID);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${queries[0]!.text}`, queries[0]!.values);
        const plan = rows[0]!['QUERY PLAN'][0]!.Plan;
        const queueRows = nodesOf(plan)
          .filter((node) => node['Index Name'] === 'executions_queue')
          .reduce((sum, node) => sum + Number(node['Actual Rows']) * Number(node['Actual Loops'] ?? 1), 0);
        expect(queueRows, describePlan(plan)).to.be.at.most(capacity * jobTypes.length);
        expect(nodesOf(plan).some((node) => node['Node Type'] === 'ModifyTable' && node['Actual Rows'] !== undefined)).to.equal(true);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
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
