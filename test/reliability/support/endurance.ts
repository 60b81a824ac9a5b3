import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import pg from 'pg';
import { createJobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { median } from '../../../bench/support/stats.js';
import { scrape } from '../../support/prometheus-text.js';
import { replicaTarget } from './chaos-model.js';
import { freePort, isErrorLine, Replica, WorkerSlot } from './processes.js';

export interface EnduranceSettings {
  databaseUrl: string;
  durationMs: number;
  /** How often the service is sampled. */
  sampleEveryMs: number;
  /** One-shot jobs created per second (plus RECURRING cron jobs firing every second). */
  jobsPerSecond: number;
  /** Allowed growth of the last third's median over the middle third's: relative and absolute. */
  tolerance: { relative: number; rssBytes: number; heapBytes: number; workerRssBytes: number; lagSeconds: number };
  say?: (line: string) => void;
}

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rss: number;
  heap: number;
  /** p99 event-loop delay over the last sampling interval. */
  lagP99: number;
  workerRss: number;
  /** Executions finished (any terminal status) so far. */
  finished: number;
  /** Executions queued and due, or running. */
  backlog: number;
}

export interface EnduranceReport {
  samples: Sample[];
  /** Per metric: medians of the middle and last thirds, and the verdict. */
  verdicts: { metric: string; middle: number; last: number; limit: number; ok: boolean }[];
  createdJobs: number;
  violations: string[];
}

const TYPE = 'endurance.work';
const RECURRING = 10;

/**
 * A service replica and an SDK worker (processes) under a steady load for a while: one-shot jobs
 * that succeed, fail and retry, or run for a second; recurring jobs firing every second; a
 * WatchExecutions stream and read RPCs the whole time. Every `sampleEveryMs` the replica's
 * /metrics (resident memory, V8 heap used, p99 event-loop delay) and the worker's resident memory
 * (/proc) are sampled. The first third is warm-up; growth of the last third's median over the
 * middle third's beyond the tolerance is a leak (or a slowdown that does not level off).
 */
export async function runEndurance(settings: EnduranceSettings): Promise<EnduranceReport> {
  const say = settings.say ?? (() => undefined);
  const violations: string[] = [];
  const logDir = mkdtempSync(`${tmpdir()}/jobscheduler-endurance-`);
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 2 });
  pool.on('error', () => undefined);
  const port = await freePort();
  const replica = new Replica(0, port, { DATABASE_URL: settings.databaseUrl, LOG_LEVEL: 'info', POLL_INTERVAL: '1s', REAPER_INTERVAL: '1s', METRICS_REFRESH_INTERVAL: '5s' }, (_, entry) => {
    if (isErrorLine(entry)) violations.push(`the replica logged ${String(entry.msg)}`);
  }, (crash) => violations.push(crash));
  const worker = new WorkerSlot(0, { CHAOS_TARGET: replicaTarget([port]), CHAOS_TYPES: TYPE, CHAOS_LEASE_MS: '15000', CHAOS_CONCURRENCY: '32' }, logDir, [], (crash) => violations.push(crash));
  const scheduler = createJobSchedulerClient(`127.0.0.1:${port}`);
  const samples: Sample[] = [];
  let created = 0;
  let stopping = false;
  const stopped = new AbortController();
  const pauseFor = (ms: number) => sleep(ms, undefined, { signal: stopped.signal }).catch(() => undefined);

  try {
    await replica.start();
    await worker.start();
    const metrics = replica.metricsAddress;
    if (!metrics) throw new Error('the replica did not report its metrics address');
    await scheduler.batchCreateJobs({
      requests: Array.from({ length: RECURRING }, (_, i) => ({
        job: { name: `endurance recurring ${i}`, type: TYPE, payload: { mode: i % 5 === 0 ? 'flaky' : 'ok', ms: 20 }, schedule: { kind: { case: 'cron', value: { expression: '* * * * * *', timeZone: 'UTC' } } } },
      })),
    });

    const load = (async () => {
      const started = Date.now();
      while (!stopping) {
        // Keep the rate steady even when a call is slow: create what is owed by now.
        const owed = Math.floor(((Date.now() - started) / 1000) * settings.jobsPerSecond) - created;
        if (owed > 0) {
          const requests = Array.from({ length: Math.min(owed, 500) }, (_, i) => {
            const roll = (created + i) % 20;
            const mode = roll === 0 ? 'fail' : roll === 1 ? 'slow' : roll === 2 ? 'flaky' : 'ok';
            return {
              requestId: randomUUID(),
              job: {
                name: 'endurance',
                type: TYPE,
                payload: { mode, ms: mode === 'slow' ? 1_000 : 10, note: 'x'.repeat(200) },
                schedule: { kind: { case: 'once' as const, value: {} } },
                retryPolicy: { maxRetries: 2, initialBackoff: durationFromMs(1_000) },
              },
            };
          });
          try {
            await scheduler.batchCreateJobs({ requests }, { deadline: 10_000 });
            created += requests.length;
          } catch (error) {
            violations.push(`BatchCreateJobs failed: ${(error as Error).message}`);
          }
        }
        await pauseFor(250);
      }
    })();
    // A watcher and a reader the whole time, as a dashboard would be.
    const watching = new AbortController();
    let events = 0;
    const watch = (async () => {
      try {
        for await (const _ of scheduler.watchExecutions({ jobTypes: [TYPE] }, { signal: watching.signal })) events += 1;
      } catch (error) {
        if (!watching.signal.aborted) violations.push(`WatchExecutions ended: ${(error as Error).message}`);
      }
    })();
    const reads = (async () => {
      while (!stopping) {
        await Promise.all([scheduler.listJobs({ filter: { type: TYPE }, pageSize: 50 }), scheduler.getSchedulerMetrics({}), scheduler.listExecutions({ jobType: TYPE, pageSize: 20 })]).catch((error: Error) =>
          violations.push(`a read failed: ${error.message}`),
        );
        await pauseFor(1_000);
      }
    })();

    const began = Date.now();
    while (Date.now() - began < settings.durationMs) {
      await sleep(settings.sampleEveryMs);
      const exposition = await scrape(metrics);
      const { rows } = await pool.query<{ finished: number; backlog: number }>(
        `SELECT count(*) FILTER (WHERE status NOT IN ('queued', 'running'))::int AS finished,
                count(*) FILTER (WHERE status = 'running' OR (status = 'queued' AND scheduled_at <= now()))::int AS backlog FROM executions`,
      );
      const sample: Sample = {
        t: Math.round((Date.now() - began) / 1000),
        rss: exposition.value('process_resident_memory_bytes') ?? Number.NaN,
        heap: exposition.value('nodejs_heap_size_used_bytes') ?? Number.NaN,
        lagP99: exposition.value('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN,
        workerRss: residentBytes(worker.pid),
        finished: rows[0]?.finished ?? 0,
        backlog: rows[0]?.backlog ?? 0,
      };
      samples.push(sample);
      if (samples.length % Math.max(1, Math.round(60_000 / settings.sampleEveryMs)) === 0) say(describeSample(sample));
    }
    stopping = true;
    stopped.abort();
    await Promise.all([load, reads]);
    watching.abort();
    await watch;
    if (events === 0) violations.push('the watcher saw no events');
    // The worker kept up: the queue drains soon after the load stops.
    const drainBy = Date.now() + 30_000;
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM executions e JOIN jobs j ON j.id = e.job_id WHERE e.status IN ('queued', 'running') AND j.schedule->>'kind' = 'once'`);
      if (rows[0]?.n === 0) break;
      if (Date.now() > drainBy) {
        violations.push(`${rows[0]?.n} one-shot executions were still queued or running 30 s after the load stopped`);
        break;
      }
      await sleep(500);
    }
  } finally {
    stopping = true;
    stopped.abort();
    scheduler.close();
    await worker.signal('SIGTERM', 15_000).then((exit) => exit ?? worker.signal('SIGKILL', 5_000));
    await replica.signal('SIGTERM', 20_000).then((exit) => exit ?? replica.signal('SIGKILL', 5_000));
    await pool.end();
    rmSync(logDir, { recursive: true, force: true });
  }

  const verdicts = judgeGrowth(samples, settings.tolerance);
  for (const v of verdicts) if (!v.ok) violations.push(`${v.metric} grew: last third median ${format(v.metric, v.last)} > limit ${format(v.metric, v.limit)} (middle third median ${format(v.metric, v.middle)})`);
  return { samples, verdicts, createdJobs: created, violations };
}

/** Resident memory of a process, from /proc/<pid>/status (Linux); NaN elsewhere. */
function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}


/** The first third is warm-up; the last third's median may exceed the middle third's only by the tolerance. */
function judgeGrowth(samples: readonly Sample[], tolerance: EnduranceSettings['tolerance']): EnduranceReport['verdicts'] {
  const third = Math.floor(samples.length / 3);
  const middle = samples.slice(third, 2 * third);
  const last = samples.slice(2 * third);
  const check = (metric: string, pick: (s: Sample) => number, absolute: number) => {
    const m = median(middle.map(pick));
    const l = median(last.map(pick));
    const limit = m * (1 + tolerance.relative) + absolute;
    return { metric, middle: m, last: l, limit, ok: Number.isFinite(l) && l <= limit };
  };
  return [
    check('service resident memory', (s) => s.rss, tolerance.rssBytes),
    check('service heap used', (s) => s.heap, tolerance.heapBytes),
    check('service event-loop delay p99', (s) => s.lagP99, tolerance.lagSeconds),
    check('worker resident memory', (s) => s.workerRss, tolerance.workerRssBytes),
  ];
}

function format(metric: string, value: number): string {
  return metric.includes('delay') ? `${(value * 1000).toFixed(1)} ms` : `${(value / 2 ** 20).toFixed(1)} MiB`;
}

export function describeSample(s: Sample): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return `t=${s.t}s service rss ${mib(s.rss)} MiB, heap ${mib(s.heap)} MiB, event-loop p99 ${(s.lagP99 * 1000).toFixed(1)} ms; worker rss ${mib(s.workerRss)} MiB; finished ${s.finished}, backlog ${s.backlog}`;
}

export function describeVerdicts(report: EnduranceReport): string[] {
  return report.verdicts.map((v) => `${v.ok ? 'ok  ' : 'FAIL'} ${v.metric}: middle third ${format(v.metric, v.middle)}, last third ${format(v.metric, v.last)} (limit ${format(v.metric, v.limit)})`);
}
