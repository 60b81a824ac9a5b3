import { expect } from 'chai';
import type pg from 'pg';
import { PgClusterGaugesStore } from '../../../src/adapters/pg/cluster-gauges-sql.js';
import { T0 } from './support/builders.js';
import { describePlan, explain, indexesUsed, plannerDatabase, recordingQueryable, seqScans } from './support/query-plan.js';

const FINISHED = 200_000;
const PENDING = 500;

/**
 * The webhook backlog gauge is read by every replica on the gauge interval: on a delivery log
 * that is almost all finished rows (kept WEBHOOK_KEEP_FOR), the planner must count the pending
 * ones from the partial webhook_deliveries_due index, not scan the log.
 */
describe(`the webhook backlog count on ${FINISHED.toLocaleString('en')} logged deliveries (PostgreSQL planner)`, function () {
  this.timeout(120_000);
  let pool: pg.Pool;
  plannerDatabase(async (fresh) => {
    pool = fresh;
    await pool.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_type, payload, status, attempts, next_attempt_at, created_at, finished_at)
       SELECT gen_random_uuid(), ('00000000-0000-4000-8000-00000000000' || (i % 10))::uuid, 'execution.succeeded', '{}',
              CASE WHEN i <= $2 THEN 'pending' ELSE 'delivered' END, 1,
              CASE WHEN i <= $2 THEN $3::timestamptz END, $3::timestamptz - make_interval(secs => i),
              CASE WHEN i > $2 THEN $3::timestamptz - make_interval(secs => i) END
         FROM generate_series(1, $1::int + $2::int) AS i`,
      [FINISHED, PENDING, T0],
    );
    await pool.query('ANALYZE webhook_deliveries');
  });

  it('reads webhook_deliveries_due and counts only the pending rows', async () => {
    const { db, queries } = recordingQueryable();
    await new PgClusterGaugesStore(db).read(T0, 100);
    const backlog = queries.filter((query) => query.text.includes('webhook_deliveries'));
    expect(backlog).to.have.length(1);
    const plan = await explain(pool, backlog[0]!);
    expect(indexesUsed(plan), describePlan(plan)).to.include('webhook_deliveries_due');
    expect(seqScans(plan), describePlan(plan)).to.deep.equal([]);
    const { rows } = await pool.query<{ n: string }>(backlog[0]!.text, backlog[0]!.values);
    expect(Number(rows[0]!.n)).to.equal(PENDING);
  });
});
