import { expect } from 'chai';
import type pg from 'pg';
import { PgOccurrenceStore } from '../../../src/adapters/pg/occurrence-sql.js';
import { T0 } from './support/builders.js';
import { loadExecutions } from './support/realistic-data.js';
import { describePlan, nodesOf, plannerDatabase, type PlanNode, type RecordedQuery, recordingQueryable } from './support/query-plan.js';

const RUNS = 20_000;
const HOUR = 3_600_000;
const PAGE = 20;
/** loadExecutions names its jobs by number in hex. */
const JOB = '00000000-0000-0000-0000-000000000001';

/** Table rows the plan's scans read, kept or thrown away, over all their loops (EXPLAIN ANALYZE counts rows, not time). */
function rowsTouched(plan: PlanNode): number {
  return nodesOf(plan).filter((node) => node['Relation Name'] !== undefined).reduce((sum, node) => {
    const loops = Number(node['Actual Loops'] ?? 1);
    const removed = Number(node['Rows Removed by Filter'] ?? 0) + Number(node['Rows Removed by Join Filter'] ?? 0) + Number(node['Rows Removed by Index Recheck'] ?? 0);
    return sum + (Number(node['Actual Rows'] ?? 0) + removed) * loops;
  }, 0);
}

/**
 * ListOccurrences on a job with a long history: the dashboard asks for the last 24 hours of
 * every job it opens, so a page must cost a page, however many slots the range holds.
 */
describe(`the occurrence ledger's page on a job with ${RUNS.toLocaleString('en')} executions (PostgreSQL planner)`, function () {
  this.timeout(120_000);
  let pool: pg.Pool;
  plannerDatabase(async (fresh) => {
    pool = fresh;
    await loadExecutions(pool, T0, 1, RUNS); // one an hour, the newest an hour ago
  });

  async function analyse(from: Date, after?: { slotAt: Date; key: string }): Promise<{ plan: PlanNode; rows: number }> {
    const { db, queries } = recordingQueryable();
    await new PgOccurrenceStore(db).list({ jobId: JOB, from, to: undefined }, after, PAGE);
    expect(queries).to.have.length(1);
    const { text, values } = queries[0] as RecordedQuery;
    const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan as PlanNode;
    return { plan, rows: Number(plan['Actual Rows']) };
  }

  it('reads a page of rows from the start of the range, not every slot in it (first page and next page)', async () => {
    // 5,000 hourly first attempts in the range.
    const from = new Date(T0.getTime() - 5_000 * HOUR);
    const first = await analyse(from);
    expect(first.rows).to.equal(PAGE + 1);
    expect(rowsTouched(first.plan), describePlan(first.plan)).to.be.below(10 * PAGE);

    const [row] = (await new PgOccurrenceStore(pool).list({ jobId: JOB, from, to: undefined }, undefined, PAGE)).slice(PAGE - 1);
    const next = await analyse(from, { slotAt: row?.slotAt as Date, key: row?.key as string });
    expect(next.rows).to.equal(PAGE + 1);
    expect(rowsTouched(next.plan), describePlan(next.plan)).to.be.below(10 * PAGE);
  });
});
