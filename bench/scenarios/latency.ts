import type { ScenarioResult } from '../support/report.js';
import { summarise } from '../support/stats.js';
import { cpuFigures, loadFigure, round2, snapshot, withSystem, type BenchContext } from '../support/system.js';
import { sleep } from '../support/time.js';

export interface LatencyOptions {
  count: number;
  intervalMs: number;
  idleMs: number;
}

/**
 * Enqueue → start latency: after `idleMs` of an idle system (workers waiting in their long
 * polls), one immediate job every `intervalMs`, sent on a fixed timetable without waiting for
 * earlier calls; for each, the time from the CreateJob call (in the load generator) to its
 * handler starting (in a worker process).
 */
export async function latency(context: BenchContext, options: LatencyOptions): Promise<ScenarioResult> {
  const { result, accounting } = await withSystem(context, 'latency', {}, async (system) => {
    system.workers.start({ addresses: system.addresses, type: system.type, concurrency: 10, mode: 'payload' });
    await sleep(options.idleMs);
    const before = snapshot(system);
    const calls = await system.load.run({ kind: 'cadence', address: system.addresses[0]!, type: system.type, intervalMs: options.intervalMs, count: options.count });
    await system.workers.waitForStarted(options.count, 30_000);
    const after = snapshot(system);
    return { calls, starts: [...system.workers.samples], cpu: cpuFigures(before, after), load: loadFigure() };
  });
  const start = summarise(result.starts);
  const call = summarise(result.calls.latencies);
  return {
    scenario: 'latency',
    figures: {
      start_p50_ms: start.p50_ms,
      start_p95_ms: start.p95_ms,
      start_p99_ms: start.p99_ms,
      start_max_ms: start.max_ms,
      create_call_p50_ms: call.p50_ms,
      create_call_p99_ms: call.p99_ms,
      errors: result.calls.errors,
      ...result.cpu,
      ...result.load,
    },
    configuration: { ...options, concurrency: 10, jobs_started: start.count, max_send_delay_ms: round2(result.calls.maxSendDelayMs) },
    details: { database: accounting.counters, top_statements: accounting.statements },
  };
}
