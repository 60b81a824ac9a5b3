import type { ScenarioResult } from '../support/report.js';
import { summarise } from '../support/stats.js';
import { cpuFigures, loadFigure, round2, snapshot, withSystem, type BenchContext } from '../support/system.js';
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
 */
export async function punctuality(context: BenchContext, options: PunctualityOptions): Promise<ScenarioResult> {
  const concurrency = 100;
  const { result, accounting } = await withSystem(context, `punctuality_${options.kind}_${options.jobs}`, {}, async (system) => {
    // Creation must finish before T: an anchor already past when a job is created first fires a period later.
    const leadMs = 3_000 + options.jobs * 2;
    const anchorMs = Date.now() + leadMs;
    const staggerMs = options.kind === 'aligned' ? 0 : options.spreadMs / options.jobs;
    const created = await system.load.create({ address: system.addresses[0]!, type: system.type, count: options.jobs, batchSize: 1000, inFlight: 2, schedule: { kind: 'interval', everyHours: 1, anchorMs, staggerMs } });
    const slackMs = anchorMs - epochMs();
    if (slackMs < 200) throw new Error(`creating ${options.jobs} jobs took until ${Math.round(-slackMs)} ms before T; raise the lead time`);
    system.workers.start({ addresses: system.addresses, type: system.type, concurrency, mode: 'occurrence' });
    await sleep(anchorMs - epochMs() - 100);
    const before = snapshot(system);
    await system.workers.waitForStarted(options.jobs, options.spreadMs + 120_000);
    const after = snapshot(system);
    return { lags: [...system.workers.samples], allStartedMs: system.workers.lastStart - (anchorMs + options.spreadMs), createMs: created.ms, cpu: cpuFigures(before, after), load: loadFigure() };
  });
  const lag = summarise(result.lags);
  return {
    scenario: `punctuality_${options.kind}`,
    figures: {
      jobs: options.jobs,
      lag_p50_ms: lag.p50_ms,
      lag_p99_ms: lag.p99_ms,
      lag_max_ms: lag.max_ms,
      ...(options.kind === 'aligned' ? { all_started_after_ms: Math.round(result.allStartedMs) } : {}),
      create_s: round2(result.createMs / 1000),
      ...result.cpu,
      ...result.load,
    },
    configuration: { ...options, concurrency, schedule: 'interval 1 h, anchored' },
    details: { database: accounting.counters, top_statements: accounting.statements },
  };
}
