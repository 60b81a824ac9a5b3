import type { ScenarioResult } from '../support/report.js';
import { summarise } from '../support/stats.js';
import { cpuFigures, loadFigure, round2, snapshot, withSystem, type BenchContext, type System } from '../support/system.js';
import { epochMs, sleep } from '../support/time.js';

export interface PunctualityOptions {
  kind: 'aligned' | 'staggered';
  jobs: number;
  /** Staggered: the first job is due at T, the last at T + spreadMs. */
  spreadMs: number;
}

/**
 * Punctuality: `jobs` recurring jobs (every hour, anchored so that their first occurrence is a
 * chosen instant T a few seconds after creation, or T + i × spread/jobs when staggered), workers
 * waiting with concurrency 100. For each execution, the lag from its scheduled time to its
 * handler starting; for aligned jobs, the time from T until all had started.
 *
 * Aligned jobs are run twice on the same service, workers and database: first on processes that
 * have run nothing yet (the figures without a prefix), then with another `jobs` jobs due at a
 * second instant (the `warm_` figures), as a replica that has been serving for a while meets the
 * top of an hour. The first round pays for compiling the hot path (V8 tiers code up as it runs)
 * and for the database connections' first statements; the second shows the path itself.
 */
export async function punctuality(context: BenchContext, options: PunctualityOptions): Promise<ScenarioResult> {
  const concurrency = 100;
  const { result, accounting } = await withSystem(context, `punctuality_${options.kind}_${options.jobs}`, {}, async (system) => {
    system.workers.start({ addresses: system.addresses, type: system.type, concurrency, mode: 'occurrence' });
    const first = await round(system, options, 0, 'cpu');
    const warm = options.kind === 'aligned' ? await round(system, options, options.jobs, 'warm_cpu') : undefined;
    return { first, warm, load: loadFigure() };
  });
  const lag = summarise(result.first.lags);
  const warmLag = result.warm && summarise(result.warm.lags);
  return {
    scenario: `punctuality_${options.kind}`,
    figures: {
      jobs: options.jobs,
      lag_p50_ms: lag.p50_ms,
      lag_p99_ms: lag.p99_ms,
      lag_max_ms: lag.max_ms,
      ...(options.kind === 'aligned' ? { all_started_after_ms: Math.round(result.first.allStartedMs) } : {}),
      ...(result.warm && warmLag
        ? { warm_lag_p50_ms: warmLag.p50_ms, warm_lag_p99_ms: warmLag.p99_ms, warm_all_started_after_ms: Math.round(result.warm.allStartedMs) }
        : {}),
      create_s: round2(result.first.createMs / 1000),
      ...result.first.cpu,
      ...result.warm?.cpu,
      ...result.load,
    },
    configuration: { ...options, concurrency, schedule: 'interval 1 h, anchored', rounds: result.warm ? 'cold, then warm' : 'cold' },
    details: { database: accounting.counters, top_statements: accounting.statements },
  };
}

/** One round: `options.jobs` jobs created, then measured from T until all have started (`before` handlers already started by earlier rounds); its CPU figures named `<cpuPrefix>_…`. */
async function round(system: System, options: PunctualityOptions, before: number, cpuPrefix: string) {
  // Creation must finish before T: an anchor already past when a job is created first fires a period later.
  const leadMs = 3_000 + options.jobs * 2;
  const anchorMs = Date.now() + leadMs;
  const staggerMs = options.kind === 'aligned' ? 0 : options.spreadMs / options.jobs;
  const created = await system.load.create({ address: system.addresses[0]!, type: system.type, count: options.jobs, batchSize: 1000, inFlight: 2, schedule: { kind: 'interval', everyHours: 1, anchorMs, staggerMs } });
  const slackMs = anchorMs - epochMs();
  if (slackMs < 200) throw new Error(`creating ${options.jobs} jobs took until ${Math.round(-slackMs)} ms before T; raise the lead time`);
  await sleep(anchorMs - epochMs() - 100);
  const sampled = system.workers.samples.length;
  const beforeT = snapshot(system);
  await system.workers.waitForStarted(before + options.jobs, options.spreadMs + 120_000);
  const afterAll = snapshot(system);
  return {
    lags: system.workers.samples.slice(sampled),
    allStartedMs: system.workers.lastStart - (anchorMs + options.spreadMs),
    createMs: created.ms,
    cpu: cpuFigures(beforeT, afterAll, cpuPrefix),
  };
}
