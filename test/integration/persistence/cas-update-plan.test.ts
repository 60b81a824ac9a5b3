import { expect } from 'chai';
import type pg from 'pg';
import { PgExecutionStore } from '../../../src/adapters/pg/execution-sql.js';
import { PgJobStore } from '../../../src/adapters/pg/job-sql.js';
import type { Queryable } from '../../../src/adapters/pg/queryable.js';
import { T0 } from './support/builders.js';
import { describePlan, plannerDatabase, plansOf, recordingQueryable, seqScans } from './support/query-plan.js';

/**
 * The compare-and-set writes (ExecutionStore.update, JobStore.update) send their rows as one
 * jsonb_to_recordset, whose row count the planner cannot see (it assumes 100). On tables that
 * had just grown by a few tens of thousands of rows, not yet analyzed (a burst of new jobs: the
 * benchmark's case), it preferred hash-joining a sequential scan of the whole table, and every
 * reported outcome paid for the table's size. The statements must find their rows by primary
 * key however stale the statistics are. (The test cluster runs without autovacuum, so the
 * tables stay unanalyzed, as they are during such a burst.)
 */
describe('the compare-and-set updates on freshly filled 20,000-row tables (PostgreSQL planner)', function () {
  this.timeout(120_000);
  let pool: pg.Pool;
  plannerDatabase(async (fresh) => {
    pool = fresh;
    await pool.query(
      `INSERT INTO jobs (id, name, type, schedule, retry_policy, overlap_policy, catch_up_policy, catch_up_window_ms, state, version, execution_count, created_at, updated_at)
       SELECT gen_random_uuid(), 'job ' || i, 'crawl', '{"kind": "once"}', '{}', 'skip', 'skip', 3600000, 'running', 2, 1, $1, $1
       FROM generate_series(1, 20000) AS i`,
      [T0],
    );
    await pool.query(
      `INSERT INTO executions (id, job_id, job_type, number, occurrence_at, attempt, trigger, status, priority, queued_at, scheduled_at)
       SELECT gen_random_uuid(), id, type, 1, $1, 1, 'schedule', 'queued', 0, $1, $1 FROM jobs`,
      [T0],
    );
  });

  /** The first five rows of `table`, read by their store. */
  async function firstFive<T>(table: 'jobs' | 'executions', read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id LIMIT 5`);
    return read(rows.map((r) => r.id));
  }

  /** The one statement `write` sends is prepared, and none of its plans scans a table. */
  async function expectPrimaryKeyLookup(write: (db: Queryable) => Promise<unknown>): Promise<void> {
    const { db, queries } = recordingQueryable();
    await write(db);
    expect(queries[0]?.name, 'a prepared statement').to.be.a('string');
    for (const plan of await plansOf(pool, queries[0]!)) expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
  }

  it('ExecutionStore.update looks its rows up by primary key', async () => {
    const executions = await firstFive('executions', (ids) => new PgExecutionStore(pool).getMany(ids));
    await expectPrimaryKeyLookup((db) => new PgExecutionStore(db).update(executions.map((execution) => ({ execution, expectedStatus: execution.status, expectedLeaseToken: execution.leaseToken }))));
  });

  it('JobStore.update looks its rows up by primary key', async () => {
    const jobs = await firstFive('jobs', (ids) => new PgJobStore(pool).getMany(ids));
    await expectPrimaryKeyLookup((db) => new PgJobStore(db).update(jobs.map((job) => ({ job, expectedVersion: job.version }))));
  });

  // The state change (every firing and settling) is sent as unnest arrays: joined to them alone,
  // the planner hash-joined a scan of the whole table.
  it('JobStore.update of the state alone (the dispatcher write) looks its rows up by primary key', async () => {
    const jobs = await firstFive('jobs', (ids) => new PgJobStore(pool).getMany(ids));
    await expectPrimaryKeyLookup((db) => new PgJobStore(db).update(jobs.map((job) => ({ job, expectedVersion: job.version, scope: 'state' as const }))));
  });

  // Not a write, but the same shape: a repeated failure's answer looks up the retry by unnest arrays.
  it('ExecutionStore.nextAttempts looks its rows up by index too', async () => {
    const executions = await firstFive('executions', (ids) => new PgExecutionStore(pool).getMany(ids));
    await expectPrimaryKeyLookup((db) => new PgExecutionStore(db).nextAttempts(executions));
  });
});
