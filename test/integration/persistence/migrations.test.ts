import { expect } from 'chai';
import type pg from 'pg';
import { Migrator } from '../../../src/adapters/pg/migrator.js';
import { MIGRATIONS } from '../../../src/adapters/pg/migrations/index.js';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { jobToRecord } from '../../../src/adapters/pg/job-row.js';
import { executionToRecord } from '../../../src/adapters/pg/execution-row.js';
import { EXECUTION_STATUSES } from '../../../src/domain/execution/execution-status.js';
import { JOB_STATES } from '../../../src/domain/job/job-state.js';
import { TestDatabase } from '../../support/test-database.js';
import { at, executionOf, jobInState, MINUTE } from './support/builders.js';
import { appliedMigrations, schemaOf, tablesOf } from './support/schema.js';

const TABLES = ['event_log_horizon', 'execution_event_batches', 'execution_events', 'executions', 'job_dependencies', 'job_quotas', 'jobs', 'occurrence_ledger', 'quota_starts', 'scheduler_counters', 'schema_migrations', 'webhook_deliveries', 'webhook_overdue', 'webhook_subscriptions'];
const INDEXES = [
  'event_log_horizon_pkey',
  'execution_event_batches_occurred',
  'execution_event_batches_pkey',
  'executions_active',
  'executions_deadlines',
  'executions_finished',
  'executions_leases',
  'executions_newest',
  'executions_number_per_job',
  'executions_one_attempt_per_occurrence',
  'executions_pkey',
  'executions_queue',
  'executions_window_closed',
  'job_dependencies_pkey',
  'job_dependencies_upstream',
  'job_quotas_job_type_label_key_label_value_key',
  'job_quotas_pkey',
  'jobs_by_state',
  'jobs_by_type',
  'jobs_due',
  'jobs_labels',
  'jobs_newest',
  'jobs_pkey',
  'jobs_request_id',
  'jobs_success_expected',
  'occurrence_ledger_pkey',
  'occurrence_ledger_recorded',
  'occurrence_ledger_slots',
  'quota_starts_recent',
  'scheduler_counters_pkey',
  'schema_migrations_pkey',
  'webhook_deliveries_due',
  'webhook_deliveries_finished',
  'webhook_deliveries_log',
  'webhook_deliveries_pkey',
  'webhook_overdue_pkey',
  'webhook_subscriptions_pkey',
];
const ALL = MIGRATIONS.map((m) => m.id);

describe('the real migrations (src/adapters/pg/migrations)', () => {
  describe('on an empty database', () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    beforeEach(async () => {
      database = await TestDatabase.create({ empty: true });
      pool = database.pool(2);
    });
    afterEach(async () => {
      await pool.end();
      await database.drop();
    });

    it('up from empty creates every table and index and records each migration once', async () => {
      expect(await tablesOf(pool)).to.deep.equal([]);
      expect(await new Migrator(pool, MIGRATIONS).up()).to.deep.equal(ALL);
      expect(await tablesOf(pool)).to.deep.equal(TABLES);
      const indexes = ((await schemaOf(pool)).indexes as { indexname: string }[]).map((row) => row.indexname);
      expect(indexes).to.deep.equal(INDEXES);
      expect(await appliedMigrations(pool)).to.deep.equal(MIGRATIONS.map(({ id, name }) => ({ id, name })));
      const status = await new Migrator(pool, MIGRATIONS).status();
      expect(status.every((m) => m.appliedAt instanceof Date)).to.equal(true);
    });

    it('down to empty removes everything but the (empty) bookkeeping table', async () => {
      await new Migrator(pool, MIGRATIONS).up();
      expect(await new Migrator(pool, MIGRATIONS).down()).to.deep.equal([...ALL].reverse());
      expect(await tablesOf(pool)).to.deep.equal(['schema_migrations']);
      expect(await appliedMigrations(pool)).to.deep.equal([]);
      const { relations } = await schemaOf(pool);
      expect((relations as { relname: string }[]).map((r) => r.relname)).to.deep.equal(['schema_migrations', 'schema_migrations_pkey']);
      expect((await new Migrator(pool, MIGRATIONS).status()).map((m) => m.appliedAt)).to.deep.equal(MIGRATIONS.map(() => undefined));
    });

    it('up → down → up again gives exactly the schema of the first up', async () => {
      const migrator = new Migrator(pool, MIGRATIONS);
      await migrator.up();
      const first = await schemaOf(pool);
      expect(await migrator.down()).to.deep.equal([...ALL].reverse());
      expect(await migrator.up()).to.deep.equal(ALL);
      expect(await schemaOf(pool)).to.deep.equal(first);
      expect(await migrator.up()).to.deep.equal([]);
    });
  });

  describe('on a database that holds data', () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    before(async () => {
      database = await TestDatabase.create();
      pool = database.pool(2);
    });
    after(async () => {
      await pool.end();
      await database.drop();
    });

    it('up again is a no-op: jobs in every state and executions in every status survive and read back equal', async () => {
      const store = new PgStore(pool);
      const jobs = JOB_STATES.map((state) => ({ ...jobInState(state), executionCount: EXECUTION_STATUSES.length }));
      const executions = jobs.flatMap((job) => EXECUTION_STATUSES.map((status, i) => executionOf(job, { number: i + 1, status })));
      await store.transaction(async (tx) => {
        await tx.jobs.insert(jobs, [{ requestId: 'req-1', fingerprint: 'f1' }]);
        await tx.executions.insert(executions);
        await tx.events.append(executions.map((e) => ({ kind: 'queued', occurredAt: at(MINUTE), executionId: e.id, jobId: e.jobId, jobType: e.jobType })));
      });
      const dump = async () => ({
        jobs: (await pool.query('SELECT * FROM jobs ORDER BY id')).rows,
        executions: (await pool.query('SELECT * FROM executions ORDER BY id')).rows,
        events: (await pool.query('SELECT * FROM execution_events ORDER BY xid, id')).rows,
        counters: (await pool.query('SELECT * FROM scheduler_counters ORDER BY name')).rows,
      });
      const before = await dump();
      const schema = await schemaOf(pool);

      expect(await new Migrator(pool, MIGRATIONS).up()).to.deep.equal([]);

      expect(await dump()).to.deep.equal(before);
      expect(await schemaOf(pool)).to.deep.equal(schema);
      for (const job of jobs) expect(await store.transaction((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
      for (const execution of executions) expect(await store.transaction((tx) => tx.executions.get(execution.id))).to.deep.equal(execution);
      expect((await store.transaction((tx) => tx.jobs.findByRequestId('req-1')))?.job).to.deep.equal(jobs[0]);
      expect(before.events).to.have.length(executions.length);
    });
  });

  it('upgrades a database holding data at migration 1 to the latest, keeping every row', async () => {
    const database = await TestDatabase.create({ empty: true });
    const pool = database.pool(2);
    try {
      expect(await new Migrator(pool, MIGRATIONS).up(1)).to.deep.equal([1]);
      const store = new PgStore(pool);
      const jobs = JOB_STATES.map((state) => ({ ...jobInState(state), executionCount: EXECUTION_STATUSES.length }));
      const executions = jobs.flatMap((job) => EXECUTION_STATUSES.map((status, i) => executionOf(job, { number: i + 1, status })));
      // At migration 1 neither the event log horizon nor the trace columns exist: rows go in with
      // the stores' mappings, through SQL that takes only the columns the tables have then.
      await pool.query('INSERT INTO jobs SELECT * FROM jsonb_populate_recordset(NULL::jobs, $1::jsonb)', [JSON.stringify(jobs.map(jobToRecord))]);
      await pool.query('INSERT INTO executions SELECT * FROM jsonb_populate_recordset(NULL::executions, $1::jsonb)', [JSON.stringify(executions.map(executionToRecord))]);
      expect(await new Migrator(pool, MIGRATIONS).up()).to.deep.equal(ALL.filter((id) => id > 1));
      for (const job of jobs) expect(await store.transaction((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
      // Migration 1 has no column for the lease an attempt ended under (migration 10): older rows have none.
      for (const execution of executions) expect(await store.transaction((tx) => tx.executions.get(execution.id))).to.deep.equal({ ...execution, endedLeaseToken: undefined });
      expect((await pool.query('SELECT pruned_id FROM event_log_horizon')).rows).to.deep.equal([{ pruned_id: '0' }]);
      expect(await new Migrator(pool, MIGRATIONS).down(1)).to.deep.equal(ALL.filter((id) => id > 1).reverse());
      // Read through SQL that migration 1's schema has (the store reads later columns too).
      expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows).to.deep.equal([{ n: jobs.length }]);
      expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM executions')).rows).to.deep.equal([{ n: executions.length }]);
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
