import type pg from 'pg';
import type { Queryable } from '../../../../src/adapters/pg/queryable.js';
import { TestDatabase } from '../../../support/test-database.js';

export interface RecordedQuery {
  text: string;
  values: unknown[];
  /** Set for a prepared statement (adapters/pg/prepared.ts): the connection may run its generic plan. */
  name?: string;
}

/**
 * A Queryable that records statements instead of running them, so a test can EXPLAIN exactly the
 * SQL (and parameters) a store method sends, rather than a copy that could drift from it.
 */
export function recordingQueryable(): { db: Queryable; queries: RecordedQuery[] } {
  const queries: RecordedQuery[] = [];
  const query = async (textOrConfig: string | pg.QueryConfig, values: unknown[] = []) => {
    queries.push(typeof textOrConfig === 'string' ? { text: textOrConfig, values } : { text: textOrConfig.text, values: textOrConfig.values ?? [], ...(textOrConfig.name ? { name: textOrConfig.name } : {}) });
    return { rows: [], rowCount: 0 };
  };
  return { db: { query } as unknown as Queryable, queries };
}

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/** The planner's plan for a statement with its parameters (EXPLAIN without ANALYZE runs nothing). */
export async function explain(pool: pg.Pool, { text, values }: RecordedQuery): Promise<PlanNode> {
  const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error('EXPLAIN returned no plan');
  return plan;
}

/**
 * Every plan the statement may run with: the one for these values, and for a prepared statement
 * also the generic plan, which PostgreSQL switches to after a few executions when it looks no
 * worse (EXPLAIN (GENERIC_PLAN), PostgreSQL 16 and later).
 */
export async function plansOf(pool: pg.Pool, query: RecordedQuery): Promise<PlanNode[]> {
  const custom = await explain(pool, query);
  if (!query.name) return [custom];
  const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON, GENERIC_PLAN) ${query.text}`);
  const generic = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!generic) throw new Error('EXPLAIN (GENERIC_PLAN) returned no plan');
  return [custom, generic];
}

export function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

export function indexesUsed(plan: PlanNode): string[] {
  return nodesOf(plan).flatMap((node) => (node['Index Name'] ? [node['Index Name']] : []));
}

export function seqScans(plan: PlanNode): string[] {
  return nodesOf(plan).flatMap((node) => (node['Node Type'] === 'Seq Scan' ? [node['Relation Name'] ?? '?'] : []));
}

/** One line per node, indented, for assertion messages. */
export function describePlan(plan: PlanNode, depth = 0): string {
  const label = [plan['Node Type'], plan['Index Name'] && `using ${plan['Index Name']}`, plan['Relation Name'] && `on ${plan['Relation Name']}`].filter(Boolean).join(' ');
  return [`${'  '.repeat(depth)}${label}`, ...(plan.Plans ?? []).map((child) => describePlan(child, depth + 1))].join('\n');
}

/**
 * The suite's own database for planner tests: created and handed to `fill` (a pool of 2) before
 * the tests, the pool closed and the database dropped after them.
 */
export function plannerDatabase(fill: (pool: pg.Pool) => Promise<void>): void {
  let database: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  before(async () => {
    database = await TestDatabase.create();
    pool = database.pool(2);
    await fill(pool);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });
}
