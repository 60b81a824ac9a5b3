import type { ScenarioResult } from '../support/report.js';
import { summarise } from '../support/stats.js';
import { cpuFigures, loadFigure, round2, snapshot, withSystem, type BenchContext, type System } from '../support/system.js';
import { sleep } from '../support/time.js';

export interface LatencyOptions {
  count: number;
  intervalMs: number;
  idleMs: number;
}

/**
 * Enqueue → start latency: after `idleMs` of an idle system (workers waiting on their Work
 * streams), one immediate job every `intervalMs`, sent on a fixed timetable without waiting for
 * earlier calls; for each, the time from the CreateJob call (in the load generator) to its
 * handler starting (in a worker process).
 *
 * Run twice on the same service, workers and database, as the aligned punctuality scenario is:
 * first on processes that have run no job yet (the figures without a prefix: the first jobs pay
 * for compiling the path, about 60 to 110 ms for the first one here, and they alone make most of
 * the p99 of 500), then, after the same idle time, another `count` jobs (the `warm_` figures):
 * the path as a replica that has been serving meets it.
 */
export async function latency(context: BenchContext, options: LatencyOptions): Promise<ScenarioResult> {
  const { result, accounting } = await withSystem(context, 'latency', {}, async (system) => {
    system.workers.start({ addresses: system.addresses, type: system.type, concurrency: 10, mode: 'payload' });
    const first = await round(system, options, 0, 'cpu');
    // Before the warm round adds its rows: the stages are the first round's.
    const stageFigures = await stages(system);
    const warm = await round(system, options, options.count, 'warm_cpu');
    return { first, warm, stages: stageFigures, load: loadFigure() };
  });
  const start = summarise(result.first.starts);
  const call = summarise(result.first.calls.latencies);
  const warmStart = summarise(result.warm.starts);
  const warmCall = summarise(result.warm.calls.latencies);
  return {
    scenario: 'latency',
    figures: {
      start_p50_ms: start.p50_ms,
      start_p95_ms: start.p95_ms,
      start_p99_ms: start.p99_ms,
      start_max_ms: start.max_ms,
      create_call_p50_ms: call.p50_ms,
      create_call_p99_ms: call.p99_ms,
      errors: result.first.calls.errors + result.warm.calls.errors,
      warm_start_p50_ms: warmStart.p50_ms,
      warm_start_p95_ms: warmStart.p95_ms,
      warm_start_p99_ms: warmStart.p99_ms,
      warm_start_max_ms: warmStart.max_ms,
      warm_create_call_p50_ms: warmCall.p50_ms,
      warm_create_call_p99_ms: warmCall.p99_ms,
      ...result.stages,
      ...result.first.cpu,
      ...result.warm.cpu,
      ...result.load,
    },
    configuration: {
      ...options,
      concurrency: 10,
      rounds: 'cold, then warm',
      jobs_started: start.count,
      warm_jobs_started: warmStart.count,
      max_send_delay_ms: round2(Math.max(result.first.calls.maxSendDelayMs, result.warm.calls.maxSendDelayMs)),
    },
    details: { database: accounting.counters, top_statements: accounting.statements },
  };
}

/** One round: idle, then `options.count` jobs on the timetable, measured until all have started (`before` started in earlier rounds); its CPU figures named `<cpuPrefix>_…`. */
async function round(system: System, options: LatencyOptions, before: number, cpuPrefix: string) {
  await sleep(options.idleMs);
  const sampled = system.workers.samples.length;
  const at = snapshot(system);
  const calls = await system.load.run({ kind: 'cadence', address: system.addresses[0]!, type: system.type, intervalMs: options.intervalMs, count: options.count });
  await system.workers.waitForStarted(before + options.count, 30_000);
  return { calls, starts: system.workers.samples.slice(sampled), cpu: cpuFigures(at, snapshot(system), cpuPrefix) };
}

/**
 * Where the time goes, stage by stage (medians, ms), from the times the service stored (its
 * clock, millisecond precision, on the same machine): call → job stored (created_at: the
 * request reached CreateJob), → execution queued (queued_at: the dispatcher pass that fired it
 * began), → acquired (started_at: the acquisition that handed it out began), → handler started
 * in the worker. Rounding makes each stage ±1 ms; their sum is the measured latency.
 */
async function stages(system: System): Promise<Record<string, number>> {
  if (!system.pool || system.workers.marks.length === 0) return {};
  const { rows } = await system.pool.query<{ sent: number; created: Date; queued: Date; started: Date }>(
    `SELECT (j.payload->>'sentAt')::float8 AS sent, j.created_at AS created, e.queued_at AS queued, e.started_at AS started
     FROM executions e JOIN jobs j ON j.id = e.job_id WHERE e.job_type = $1`,
    [system.type],
  );
  const handlerStart = new Map(system.workers.marks);
  const parts: Record<string, number[]> = { to_stored: [], to_queued: [], to_acquired: [], to_handler: [] };
  for (const row of rows) {
    const handler = handlerStart.get(row.sent);
    if (handler === undefined) continue;
    parts.to_stored!.push(row.created.getTime() - row.sent);
    parts.to_queued!.push(row.queued.getTime() - row.created.getTime());
    parts.to_acquired!.push(row.started.getTime() - row.queued.getTime());
    parts.to_handler!.push(handler - row.started.getTime());
  }
  return Object.fromEntries(Object.entries(parts).map(([name, values]) => [`stage_${name}_p50_ms`, summarise(values).p50_ms]));
}
