import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/adapters/pg/embedded-postgres.js';
import { Migrator } from '../../src/adapters/pg/migrator.js';
import { MIGRATIONS } from '../../src/adapters/pg/migrations/index.js';
import { clusterCpuSeconds } from './proc.js';

/**
 * The PostgreSQL the benchmark runs against: an embedded cluster of its own (durable settings,
 * as `npm start` uses, plus pg_stat_statements so every statement can be counted), or the server
 * of DATABASE_URL. Every scenario run gets a fresh database on it, so runs never see each
 * other's rows.
 */
export class BenchCluster {
  private counter = 0;

  private constructor(
    private readonly adminUrl: string,
    private readonly embedded: EmbeddedPostgres | undefined,
    private readonly scratch: string | undefined,
    /** The postmaster, when the cluster is ours (for its CPU time). */
    readonly postmasterPid: number | undefined,
    readonly settings: Record<string, string>,
  ) {}

  static async start(options: { url: string | undefined; settings: Record<string, string> }): Promise<BenchCluster> {
    if (options.url) return new BenchCluster(options.url, undefined, undefined, undefined, {});
    const scratch = mkdtempSync(join(tmpdir(), 'jobscheduler-bench-pg-'));
    chmodSync(scratch, 0o755);
    const dataDir = join(scratch, 'postgres');
    const settings = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', ...options.settings };
    const embedded = await EmbeddedPostgres.start({ dataDir, port: 0, ephemeral: true, settings });
    return new BenchCluster(embedded.url(), embedded, scratch, embedded.pid, settings);
  }

  /** A fresh, migrated database; returns its URL. */
  async createDatabase(label: string): Promise<string> {
    this.counter += 1;
    const name = `bench_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${this.counter}_${process.pid}`;
    await this.admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    try {
      await new Migrator(pool, MIGRATIONS).up();
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
    } finally {
      await pool.end();
    }
    return url.toString();
  }

  async dropDatabase(url: string): Promise<void> {
    const name = new URL(url).pathname.slice(1);
    await this.admin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)).catch(() => undefined);
  }

  async version(): Promise<string> {
    return this.admin(async (client) => (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown');
  }

  /** CPU seconds of all PostgreSQL processes of the cluster (NaN for an external server). */
  cpuSeconds(): number {
    return clusterCpuSeconds(this.postmasterPid);
  }

  async stop(): Promise<void> {
    await this.embedded?.stop();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  private async admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

export interface DatabaseCounters {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
  deleted: number;
  /** Statements executed, from pg_stat_statements; NaN when it is not installed. */
  statements: number;
  /** Rows inserted, updated and deleted, per table; `hot` of the updates wrote no index entry (heap-only tuples). */
  tables: Record<string, TableCounters>;
}

export interface TableCounters {
  inserted: number;
  updated: number;
  hot: number;
  deleted: number;
}

/** What one database has done so far, to subtract before from after. */
export async function databaseCounters(pool: pg.Pool): Promise<DatabaseCounters> {
  // Statistics are cached per transaction and flushed by backends at intervals: make sure ours are current.
  await pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await pool.query<{ commits: string; rollbacks: string; inserted: string; updated: string; deleted: string }>(
    `SELECT d.xact_commit AS commits, d.xact_rollback AS rollbacks,
            (SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables) AS inserted,
            (SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables) AS updated,
            (SELECT coalesce(sum(n_tup_del), 0) FROM pg_stat_user_tables) AS deleted
     FROM pg_stat_database d WHERE d.datname = current_database()`,
  );
  const row = rows[0]!;
  let statements = Number.NaN;
  try {
    const result = await pool.query<{ calls: string }>('SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())');
    statements = Number(result.rows[0]?.calls ?? Number.NaN);
  } catch {
    // pg_stat_statements is not loaded on this server.
  }
  const { rows: perTable } = await pool.query<{ name: string; inserted: string; updated: string; hot: string; deleted: string }>(
    'SELECT relname AS name, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot, n_tup_del AS deleted FROM pg_stat_user_tables',
  );
  const tables = Object.fromEntries(perTable.map((t) => [t.name, { inserted: Number(t.inserted), updated: Number(t.updated), hot: Number(t.hot), deleted: Number(t.deleted) }]));
  return { commits: Number(row.commits), rollbacks: Number(row.rollbacks), inserted: Number(row.inserted), updated: Number(row.updated), deleted: Number(row.deleted), statements, tables };
}

export function subtractCounters(after: DatabaseCounters, before: DatabaseCounters): DatabaseCounters {
  return {
    commits: after.commits - before.commits,
    rollbacks: after.rollbacks - before.rollbacks,
    inserted: after.inserted - before.inserted,
    updated: after.updated - before.updated,
    deleted: after.deleted - before.deleted,
    statements: after.statements - before.statements,
    tables: Object.fromEntries(
      Object.entries(after.tables).map(([name, t]) => {
        const was = before.tables[name] ?? { inserted: 0, updated: 0, hot: 0, deleted: 0 };
        return [name, { inserted: t.inserted - was.inserted, updated: t.updated - was.updated, hot: t.hot - was.hot, deleted: t.deleted - was.deleted }];
      }),
    ),
  };
}

export interface StatementCost {
  query: string;
  calls: number;
  /** Execution time; planning time is counted apart (0 unless pg_stat_statements.track_planning is on). */
  total_ms: number;
  mean_ms: number;
  plan_ms: number;
  rows: number;
}

/** The statements of this database that took the most time (pg_stat_statements), for the analysis. */
export async function topStatements(pool: pg.Pool, limit = 12): Promise<StatementCost[]> {
  try {
    const { rows } = await pool.query<{ query: string; calls: string; total: number; mean: number; plan: number; rows: string }>(
      `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, total_exec_time AS total, mean_exec_time AS mean, total_plan_time AS plan, rows
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       ORDER BY total_exec_time + total_plan_time DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      query: r.query.slice(0, 160),
      calls: Number(r.calls),
      total_ms: Math.round(r.total),
      mean_ms: Math.round(r.mean * 1000) / 1000,
      plan_ms: Math.round(r.plan),
      rows: Number(r.rows),
    }));
  } catch {
    return [];
  }
}

/** Forgets this database's statement statistics, so a scenario counts only its own. */
export async function resetStatements(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)').catch(() => undefined);
}
