import type { RpcName } from '../support/protocol.js';
import type { ScenarioResult } from '../support/report.js';
import { postgresRoundTrips } from '../support/postgres-floor.js';
import { loadScaleData } from '../support/scale-data.js';
import { summarise } from '../support/stats.js';
import { cpuFigures, loadFigure, round2, snapshot, withSystem, type BenchContext } from '../support/system.js';

export interface ScaleOptions {
  jobs: number;
  executions: number;
  ratePerSecond: number;
  seconds: number;
}

// `check` first: a gRPC call that does no work, at the same rate, is the floor under the others.
const RPCS: readonly RpcName[] = ['check', 'createJob', 'getJob', 'listExecutions', 'getJobStats'];
// The service's default DATABASE_POOL_SIZE.
const FLOOR_POOL_SIZE = 10;

/**
 * Scale: with `jobs` jobs stored (all due an hour or more from now) and `executions` executions
 * of history (100 per job for executions / 100 jobs), each of CreateJob, GetJob, ListExecutions
 * (first page of one job's history) and GetJobStats (of a job with history) at a steady rate,
 * one after the other (a short warm-up first); latency per RPC and the service's resident memory.
 * Two floors at the same rate come first: a gRPC health check (no database) and a PostgreSQL
 * round trip that reads nothing (from this process, no service): what an RPC's p99 cannot beat
 * on this machine.
 */
export async function scale(context: BenchContext, options: ScaleOptions): Promise<ScenarioResult> {
  let loadSeconds = Number.NaN;
  const { result, accounting } = await withSystem(
    context,
    `scale_${options.jobs}`,
    {
      prepare: async (pool) => {
        const started = performance.now();
        await loadScaleData(pool, new Date(), options.jobs, options.executions);
        loadSeconds = (performance.now() - started) / 1000;
      },
    },
    async (system) => {
      const pool = system.pool!;
      const anyJob = (await pool.query<{ id: string }>('SELECT id FROM jobs ORDER BY random() LIMIT 1000')).rows.map((r) => r.id);
      const withHistory = (await pool.query<{ id: string }>('SELECT id FROM jobs WHERE execution_count > 0 ORDER BY random() LIMIT 1000')).rows.map((r) => r.id);
      const figures: Record<string, number> = {};
      if (system.databaseUrl) {
        const floorRun = { ratePerSecond: options.ratePerSecond, warmUpSeconds: Math.min(1, options.seconds), seconds: options.seconds, poolSize: FLOOR_POOL_SIZE };
        const floor = summarise(await postgresRoundTrips(system.databaseUrl, floorRun));
        figures.postgres_roundtrip_p50_ms = floor.p50_ms;
        figures.postgres_roundtrip_p99_ms = floor.p99_ms;
        figures.postgres_roundtrip_max_ms = floor.max_ms;
      }
      const before = snapshot(system);
      for (const rpc of RPCS) {
        const ids = rpc === 'getJob' ? anyJob : withHistory;
        const warmUp = { kind: 'steady' as const, address: system.addresses[0]!, rpc, ratePerSecond: options.ratePerSecond, seconds: Math.min(1, options.seconds), ids, type: system.type };
        await system.load.run(warmUp);
        const from = snapshot(system);
        const run = await system.load.run({ ...warmUp, seconds: options.seconds });
        const to = snapshot(system);
        // CPU per call of this RPC alone, in ms: where each call's time goes.
        const perCall = (key: 'service' | 'postgres' | 'load') => Math.round(((to[key] - from[key]) / run.latencies.length) * 1e6) / 1000;
        figures[`${rpc}_cpu_service_ms_per_call`] = perCall('service');
        figures[`${rpc}_cpu_postgres_ms_per_call`] = perCall('postgres');
        figures[`${rpc}_cpu_loadgen_ms_per_call`] = perCall('load');
        const latency = summarise(run.latencies);
        figures[`${rpc}_p50_ms`] = latency.p50_ms;
        figures[`${rpc}_p99_ms`] = latency.p99_ms;
        figures[`${rpc}_max_ms`] = latency.max_ms;
        figures[`${rpc}_per_s`] = Math.round(run.latencies.length / run.seconds);
        if (run.errors > 0) {
          figures[`${rpc}_errors`] = run.errors;
          process.stderr.write(`scale: ${run.errors} ${rpc} calls failed, the first with ${run.firstError}\n`);
        }
      }
      const after = snapshot(system);
      const memory = system.services.memory();
      return { figures: { ...figures, service_rss_mib: Math.round(memory.rss), service_peak_rss_mib: Math.round(memory.peak), ...cpuFigures(before, after), ...loadFigure() } };
    },
  );
  return {
    scenario: 'scale',
    figures: { load_s: round2(loadSeconds), ...result.figures },
    configuration: { ...options, history_per_job: 100, list_page_size: 50 },
    details: { database: accounting.counters, top_statements: accounting.statements },
  };
}
