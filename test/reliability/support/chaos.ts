import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type ServiceError } from '@grpc/grpc-js';
import pg from 'pg';
import { createJobSchedulerClient, createWorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { CallCodes, describeCounts, isUnexpected } from './call-codes.js';
import { chaos, type ChaosTargets } from './chaos-actions.js';
import { analyseRun, replicaTarget, ROUND_ROBIN, type CancelRecord, type Figures, type ProbeRecord, type WorkerLife } from './chaos-model.js';
import { readExecutions, readJobs, readWorkLines } from './chaos-records.js';
import { CALL_DEADLINE_MS, canceller, load, prober, recurringRequests, TYPES, type Call, type ChaosRun } from './chaos-traffic.js';
import { freePort, isErrorLine, Replica, WorkerSlot } from './processes.js';

export interface ChaosSettings {
  databaseUrl: string;
  /** How long load and chaos run, before the final settle. */
  durationMs: number;
  /**
   * Chaos actions to take at least: load and chaos go on past durationMs until they are taken
   * (a loaded machine restarts processes more slowly), for at most twice durationMs more.
   */
  minActions?: number;
  replicas?: number;
  workers?: number;
  leaseMs?: number;
  reaperMs?: number;
  /** Pause between two chaos actions, uniform in [min, max]. */
  chaosEveryMs?: readonly [number, number];
  /** One-shot jobs created per second. */
  jobsPerSecond?: number;
  recurringJobs?: number;
  /** Longest wait, after load and chaos stop, for the queue to empty. */
  settleTimeoutMs?: number;
  /** Allowed on top of lease + reaper interval for a rescue. */
  rescueSlackMs?: number;
  say?: (line: string) => void;
}

export interface ChaosFigures extends Figures {
  durationMs: number;
  actions: Record<string, number>;
  /** Failed client calls by RPC and code (UNAVAILABLE while a replica restarts is expected). */
  clientErrors: Record<string, number>;
  serverErrorLines: number;
}

export interface ChaosReport {
  figures: ChaosFigures;
  violations: string[];
}

const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED]);

/**
 * The chaos run: replicas and SDK workers as separate processes on one database, steady load
 * (one-shot and recurring jobs that succeed, fail, hang, run long or get cancelled), and every
 * few seconds one replica or worker killed (SIGKILL), stopped (SIGTERM) or frozen past its
 * leases (SIGSTOP … SIGCONT), then restarted. Afterwards everything settles and the database and
 * the workers' logs are judged by analyseRun (chaos-model.ts).
 */
export async function runChaos(settings: ChaosSettings): Promise<ChaosReport> {
  const say = settings.say ?? (() => undefined);
  const leaseMs = settings.leaseMs ?? 5_000;
  const reaperMs = settings.reaperMs ?? 500;
  const every = settings.chaosEveryMs ?? [1_500, 3_000];
  const jobsPerSecond = settings.jobsPerSecond ?? 8;
  const logDir = mkdtempSync(join(tmpdir(), 'jobscheduler-chaos-'));
  const violations: string[] = [];
  const violation = (message: string) => violations.push(message);
  const actions: Record<string, number> = {};
  const codes = new CallCodes();
  let serverErrorLines = 0;
  const lives: WorkerLife[] = [];
  const cancels: CancelRecord[] = [];
  const probes: ProbeRecord = { sent: 0, refused: 0, accepted: [] };
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 3 });
  pool.on('error', () => undefined);

  const ports = await Promise.all(Array.from({ length: settings.replicas ?? 3 }, freePort));
  const target = replicaTarget(ports);
  const replicaEnv = {
    DATABASE_URL: settings.databaseUrl,
    LEASE_DURATION: `${leaseMs}ms`,
    REAPER_INTERVAL: `${reaperMs}ms`,
    POLL_INTERVAL: '500ms',
    SHUTDOWN_GRACE: '3s',
    DATABASE_POOL_SIZE: '6',
    LOG_LEVEL: 'info',
  };
  const onReplicaLog = (replica: Replica, entry: Record<string, unknown>) => {
    if (!isErrorLine(entry)) return;
    serverErrorLines += 1;
    violation(`${replica.name} logged ${String(entry.msg)}: ${JSON.stringify(entry.err ?? entry).slice(0, 300)}`);
  };
  const replicas = ports.map((port, i) => new Replica(i, port, replicaEnv, onReplicaLog, violation));
  const workerEnv = { CHAOS_TARGET: target, CHAOS_TYPES: TYPES.join(','), CHAOS_LEASE_MS: String(leaseMs), CHAOS_CONCURRENCY: '8' };
  const workers = Array.from({ length: settings.workers ?? 4 }, (_, i) => new WorkerSlot(i, workerEnv, logDir, lives, violation));
  const scheduler = createJobSchedulerClient(target, undefined, ROUND_ROBIN);
  const rogue = createWorkerClient(target, undefined, ROUND_ROBIN);

  /** Calls an RPC, retrying what a restarting replica answers; undefined if it kept failing or was refused. */
  const call: Call = async (rpc, invoke, attempts = 40) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { value: await invoke() };
      } catch (error) {
        const { code, details } = error as ServiceError;
        codes.note(rpc, code);
        if (isUnexpected(code)) violation(`${rpc} answered ${status[code]}: ${details}`);
        if (!RETRYABLE.has(code) || attempt >= attempts) return { code };
        await sleep(200);
      }
    }
  };

  const stopped = new AbortController();
  const signal = stopped.signal;
  const pauseFor = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);
  const run: ChaosRun & ChaosTargets = { scheduler, rogue, pool, signal, pauseFor, call, violation, jobsPerSecond, cancels, probes, replicas, workers, every, leaseMs, actions, say };

  const started = Date.now();
  let figures: Figures | undefined;
  try {
    await Promise.all(replicas.map((r) => r.start()));
    await Promise.all(workers.map((w) => w.start()));
    say(`chaos: ${replicas.length} replicas (${target}), ${workers.length} workers, logs in ${logDir}`);
    const { value: recurring } = await call('BatchCreateJobs', () => scheduler.batchCreateJobs({ requests: recurringRequests(settings.recurringJobs ?? 6) }));
    const recurringIds = recurring?.jobs.map((j) => j.id) ?? [];

    const running = [load(run), canceller(run), prober(run), chaos(run)];
    await sleep(settings.durationMs);
    const taken = () => Object.values(actions).reduce((sum, n) => sum + n, 0);
    for (const giveUp = Date.now() + 2 * settings.durationMs; taken() < (settings.minActions ?? 0) && Date.now() < giveUp; ) await sleep(250);
    stopped.abort();
    await Promise.all(running);
    say(`chaos: load and chaos stopped after ${Math.round((Date.now() - started) / 1000)} s; settling`);

    // Settle: stop the recurring jobs, let every queued and running execution end.
    const paused = await call('PauseJobs', () => scheduler.pauseJobs({ selector: { selection: { case: 'ids', value: { ids: recurringIds } } } }, { deadline: CALL_DEADLINE_MS }));
    if (!paused.value) violation('PauseJobs of the recurring jobs kept failing');
    const active = async () =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM executions WHERE status IN ('queued', 'running')`)).rows[0]?.n ?? -1;
    const settleBy = Date.now() + (settings.settleTimeoutMs ?? 60_000);
    while ((await active()) > 0 && Date.now() < settleBy) await sleep(250);
    // Longer than a lease and a reaper pass: nothing comes back to life.
    await sleep(leaseMs + reaperMs + 1_000);
    const left = await active();
    if (left !== 0) violation(`${left} executions are still queued or running after the settle period`);

    for (const worker of workers) {
      const exit = await worker.signal('SIGTERM', 15_000);
      if (exit?.code !== 0) violation(`${worker.name} exited with ${exit?.code ?? exit?.signal ?? 'nothing (hung)'} after the final SIGTERM`);
    }
    for (const replica of replicas) {
      const exit = await replica.signal('SIGTERM', 20_000);
      if (exit?.code !== 0) violation(`${replica.name} exited with ${exit?.code ?? exit?.signal ?? 'nothing (hung)'} after the final SIGTERM`);
    }

    const result = analyseRun({
      jobs: await readJobs(pool),
      executions: await readExecutions(pool),
      lines: readWorkLines(logDir),
      lives,
      cancels,
      probes,
      leaseMs,
      reaperMs,
      rescueSlackMs: settings.rescueSlackMs ?? 4_000,
    });
    figures = result.figures;
    violations.push(...result.violations);
  } finally {
    stopped.abort();
    scheduler.close();
    rogue.close();
    for (const process of [...replicas, ...workers]) await process.signal('SIGKILL', 5_000);
    await pool.end();
    if (violations.length === 0) rmSync(logDir, { recursive: true, force: true });
    else say(`chaos: worker logs kept in ${logDir}`);
  }
  return {
    figures: { ...(figures as Figures), durationMs: Date.now() - started, actions, clientErrors: Object.fromEntries(codes.counts), serverErrorLines },
    violations,
  };
}

/** The figures as a few readable lines. */
export function describeFigures(f: ChaosFigures): string[] {
  const statuses = Object.entries(f.byStatus)
    .sort()
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const actions = Object.entries(f.actions)
    .map(([a, n]) => `${a} ${n}`)
    .join(', ');
  const errors = describeCounts(Object.entries(f.clientErrors));
  return [
    `duration ${Math.round(f.durationMs / 1000)} s; jobs ${f.jobs} (${f.recurringJobs} recurring), occurrences ${f.occurrences}, executions ${f.executions} (${statuses})`,
    `chaos actions: ${actions || 'none'}`,
    `handler runs ${f.handlerRuns}, acknowledged outcomes ${f.acknowledgedOutcomes}, rescues ${f.rescues} (unexplained ${f.unexplainedRescues}), max rescue delay ${f.maxRescueDelayMs} ms`,
    `duplicate deliveries ${f.duplicateDeliveries} (${f.concurrentZombieRuns} of them while the earlier run, already rescued, had not yet noticed), duplicate completions 0 unless a violation says otherwise`,
    `occurrences whose retries were used up by chaos ${f.exhaustedByChaos}; cancels acknowledged ${f.cancelsAcknowledged}; forged outcomes refused ${f.forgedOutcomesRefused}`,
    `client errors: ${errors || 'none'}; server error log lines ${f.serverErrorLines}`,
  ];
}
