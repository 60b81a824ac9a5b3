import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { status, type ServiceError } from '@grpc/grpc-js';
import pg from 'pg';
import { createJobSchedulerClient, createWorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { analyseRun, replicaTarget, ROUND_ROBIN, type CancelRecord, type ExecutionRecord, type Figures, type JobRecord, type ProbeRecord, type WorkerLife, type WorkLine } from './chaos-model.js';
import { freePort, Replica, WorkerSlot } from './processes.js';

export interface ChaosSettings {
  databaseUrl: string;
  /** How long load and chaos run, before the final settle. */
  durationMs: number;
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

const TYPES = ['chaos.a', 'chaos.b'];
const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED]);
const CALL_DEADLINE_MS = 5_000;

/** What one-shot jobs do (payload.mode), how often, and their retry policy. */
const MODES: { mode: string; weight: number; ms: [number, number]; maxRetries: number; timeoutMs?: number }[] = [
  { mode: 'ok', weight: 45, ms: [0, 300], maxRetries: 6 },
  { mode: 'slow', weight: 12, ms: [2_000, 7_000], maxRetries: 6 },
  { mode: 'flaky', weight: 10, ms: [0, 200], maxRetries: 6 },
  { mode: 'fail', weight: 8, ms: [0, 100], maxRetries: 2 },
  { mode: 'fatal', weight: 5, ms: [0, 100], maxRetries: 3 },
  { mode: 'hang', weight: 4, ms: [0, 0], maxRetries: 1, timeoutMs: 2_000 },
  { mode: 'cancel', weight: 16, ms: [3_000, 5_000], maxRetries: 6 },
];
const RECURRING_MODES = [
  { mode: 'ok', ms: 100, maxRetries: 6 },
  { mode: 'slow', ms: 3_000, maxRetries: 6 },
  { mode: 'flaky', ms: 50, maxRetries: 6 },
  { mode: 'fail', ms: 50, maxRetries: 1 },
];

/** The chaos actions: a replica killed or stopped; a worker killed, stopped or frozen past its leases. */
const KINDS = [
  { target: 'replica', action: 'SIGKILL' },
  { target: 'replica', action: 'SIGTERM' },
  { target: 'worker', action: 'SIGKILL' },
  { target: 'worker', action: 'SIGTERM' },
  { target: 'worker', action: 'SIGSTOP' },
] as const;

const uniform = (min: number, max: number) => min + Math.random() * (max - min);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const shuffle = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

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
  const clientErrors: Record<string, number> = {};
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
    if (typeof entry.level !== 'number' || entry.level < 50) return;
    serverErrorLines += 1;
    violation(`${replica.name} logged ${String(entry.msg)}: ${JSON.stringify(entry.err ?? entry).slice(0, 300)}`);
  };
  const replicas = ports.map((port, i) => new Replica(i, port, replicaEnv, onReplicaLog, violation));
  const workerEnv = { CHAOS_TARGET: target, CHAOS_TYPES: TYPES.join(','), CHAOS_LEASE_MS: String(leaseMs), CHAOS_CONCURRENCY: '8' };
  const workers = Array.from({ length: settings.workers ?? 4 }, (_, i) => new WorkerSlot(i, workerEnv, logDir, lives, violation));
  const scheduler = createJobSchedulerClient(target, undefined, ROUND_ROBIN);
  const rogue = createWorkerClient(target, undefined, ROUND_ROBIN);

  /** Calls an RPC, retrying what a restarting replica answers; undefined if it kept failing or was refused. */
  async function call<T>(rpc: string, invoke: () => Promise<T>, attempts = 40): Promise<{ value?: T; code?: number }> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { value: await invoke() };
      } catch (error) {
        const { code, details } = error as ServiceError;
        const key = `${rpc} ${status[code] ?? code}`;
        clientErrors[key] = (clientErrors[key] ?? 0) + 1;
        if (code === status.INTERNAL || code === status.UNKNOWN) violation(`${rpc} answered ${status[code]}: ${details}`);
        if (!RETRYABLE.has(code) || attempt >= attempts) return { code };
        await sleep(200);
      }
    }
  }

  let stopping = false;
  const stopped = new AbortController();
  const pauseFor = (ms: number) => sleep(ms, undefined, { signal: stopped.signal }).catch(() => undefined);
  const oneShots: string[] = [];

  async function load(): Promise<void> {
    const total = MODES.reduce((sum, m) => sum + m.weight, 0);
    const perTick = jobsPerSecond / 4;
    let owed = 0;
    while (!stopping) {
      owed += perTick;
      const count = Math.floor(owed);
      owed -= count;
      const requests = Array.from({ length: count }, () => {
        let roll = Math.random() * total;
        const kind = MODES.find((m) => (roll -= m.weight) < 0) ?? MODES[0]!;
        return {
          requestId: randomUUID(),
          job: {
            name: `chaos ${kind.mode}`,
            type: pick(TYPES),
            payload: { mode: kind.mode, ms: Math.round(uniform(...kind.ms)) },
            schedule: { kind: { case: 'once' as const, value: {} } },
            retryPolicy: { maxRetries: kind.maxRetries, initialBackoff: durationFromMs(1_000), maxBackoff: durationFromMs(2_000) },
            ...(kind.timeoutMs ? { attemptTimeout: durationFromMs(kind.timeoutMs) } : {}),
          },
        };
      });
      if (requests.length > 0) {
        const { value } = await call('BatchCreateJobs', () => scheduler.batchCreateJobs({ requests }, { deadline: CALL_DEADLINE_MS }));
        if (value) oneShots.push(...value.jobs.map((j) => j.id));
        else violation(`BatchCreateJobs of ${requests.length} jobs kept failing`);
      }
      await pauseFor(250);
    }
  }

  /** Cancels running executions of "cancel" jobs, by CancelExecution and by CancelJob in turn. */
  async function canceller(): Promise<void> {
    let turn = 0;
    while (!stopping) {
      await pauseFor(800);
      const { rows } = await pool
        .query<{ id: string; job_id: string }>(
          `SELECT e.id, e.job_id FROM executions e JOIN jobs j ON j.id = e.job_id
           WHERE e.status = 'running' AND j.payload->>'mode' = 'cancel' AND j.state <> 'cancelled' ORDER BY random() LIMIT 1`,
        )
        .catch(() => ({ rows: [] }));
      const [running] = rows;
      if (!running) continue;
      turn += 1;
      const byJob = turn % 2 === 0;
      const reason = 'chaos: cancelled mid-run';
      const { value } = byJob
        ? await call('CancelJob', () => scheduler.cancelJob({ id: running.job_id, reason }, { deadline: CALL_DEADLINE_MS }), 5)
        : await call('CancelExecution', () => scheduler.cancelExecution({ id: running.id, reason }, { deadline: CALL_DEADLINE_MS }), 5);
      if (value) cancels.push({ kind: byJob ? 'job' : 'execution', jobId: running.job_id, executionId: running.id, ackAt: Date.now() });
    }
  }

  /** A confused worker: reports outcomes for running executions with another execution's lease token. */
  async function prober(): Promise<void> {
    let turn = 0;
    while (!stopping) {
      await pauseFor(600);
      const { rows } = await pool
        .query<{ id: string; lease_token: string }>(`SELECT id, lease_token FROM executions WHERE status = 'running' ORDER BY random() LIMIT 2`)
        .catch(() => ({ rows: [] }));
      const [victim, other] = rows;
      if (!victim) continue;
      const leaseToken = other?.lease_token ?? randomUUID();
      turn += 1;
      probes.sent += 1;
      if (turn % 3 === 0) {
        const { value } = await call(
          'ReportOutcomes (forged)',
          () => rogue.reportOutcomes({ workerId: 'rogue', outcomes: [{ executionId: victim.id, leaseToken, outcome: { case: 'success', value: {} } }] }, { deadline: CALL_DEADLINE_MS }),
          5,
        );
        if (value?.results[0]?.accepted) probes.accepted.push(victim.id);
        else if (value) probes.refused += 1;
        continue;
      }
      const { value, code } =
        turn % 3 === 1
          ? await call('CompleteExecution (forged)', () => rogue.completeExecution({ executionId: victim.id, leaseToken }, { deadline: CALL_DEADLINE_MS }), 5)
          : await call('FailExecution (forged)', () => rogue.failExecution({ executionId: victim.id, leaseToken, errorMessage: 'forged', retryable: false }, { deadline: CALL_DEADLINE_MS }), 5);
      if (value) probes.accepted.push(victim.id);
      else if (code === status.FAILED_PRECONDITION || code === status.NOT_FOUND) probes.refused += 1;
    }
  }

  async function chaos(): Promise<void> {
    const deck: (typeof KINDS)[number][] = [];
    while (!stopping) {
      await pauseFor(uniform(...every));
      if (stopping) return;
      // Every kind of action comes up once in each round of five, in random order, on a random target.
      if (deck.length === 0) deck.push(...shuffle(KINDS));
      const kind = deck.pop()!;
      const victim = kind.target === 'replica' ? pick(replicas) : pick(workers);
      const action = kind.action;
      actions[`${action} ${kind.target}`] = (actions[`${action} ${kind.target}`] ?? 0) + 1;
      say(`chaos: ${action} ${victim.name} (pid ${victim.pid})`);
      if (action === 'SIGSTOP') {
        if (!(victim instanceof WorkerSlot)) continue;
        await victim.freeze(leaseMs + 1_500);
        continue;
      }
      const at = Date.now();
      if (victim instanceof WorkerSlot && victim.life) {
        if (action === 'SIGKILL') victim.life.killedAt = at;
        else victim.life.stoppedAt = at;
      }
      const exit = await victim.signal(action, action === 'SIGTERM' ? 20_000 : 10_000);
      if (!exit) {
        violation(`${victim.name} did not exit within 20 s of ${action}`);
        await victim.signal('SIGKILL', 10_000);
      } else if (action === 'SIGTERM' && exit.code !== 0) {
        violation(`${victim.name} exited with ${exit.code ?? exit.signal} after SIGTERM (expected 0)`);
      }
      await pauseFor(uniform(200, 1_000));
      await victim.start();
    }
  }

  const started = Date.now();
  let figures: Figures | undefined;
  try {
    await Promise.all(replicas.map((r) => r.start()));
    await Promise.all(workers.map((w) => w.start()));
    say(`chaos: ${replicas.length} replicas (${target}), ${workers.length} workers, logs in ${logDir}`);
    const { value: recurring } = await call('BatchCreateJobs', () =>
      scheduler.batchCreateJobs({
        requests: Array.from({ length: settings.recurringJobs ?? 6 }, (_, i) => {
          const kind = RECURRING_MODES[i % RECURRING_MODES.length]!;
          return {
            requestId: randomUUID(),
            job: {
              name: `chaos recurring ${kind.mode}`,
              type: TYPES[i % TYPES.length]!,
              payload: { mode: kind.mode, ms: kind.ms },
              schedule: { kind: { case: 'cron' as const, value: { expression: '*/2 * * * * *', timeZone: 'UTC' } } },
              retryPolicy: { maxRetries: kind.maxRetries, initialBackoff: durationFromMs(1_000), maxBackoff: durationFromMs(2_000) },
            },
          };
        }),
      }),
    );
    const recurringIds = recurring?.jobs.map((j) => j.id) ?? [];

    const running = [load(), canceller(), prober(), chaos()];
    await sleep(settings.durationMs);
    stopping = true;
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
    stopping = true;
    stopped.abort();
    scheduler.close();
    rogue.close();
    for (const process of [...replicas, ...workers]) await process.signal('SIGKILL', 5_000);
    await pool.end();
    if (violations.length === 0) rmSync(logDir, { recursive: true, force: true });
    else say(`chaos: worker logs kept in ${logDir}`);
  }
  return {
    figures: { ...(figures as Figures), durationMs: Date.now() - started, actions, clientErrors, serverErrorLines },
    violations,
  };
}

async function readJobs(pool: pg.Pool): Promise<JobRecord[]> {
  const { rows } = await pool.query<{ id: string; mode: string; kind: string; max_retries: number; state: string }>(
    `SELECT id, payload->>'mode' AS mode, schedule->>'kind' AS kind, (retry_policy->>'maxRetries')::int AS max_retries, state FROM jobs`,
  );
  return rows.map((r) => ({ id: r.id, mode: r.mode, recurring: r.kind !== 'once', maxRetries: r.max_retries, state: r.state }));
}

async function readExecutions(pool: pg.Pool): Promise<ExecutionRecord[]> {
  const { rows } = await pool.query<{
    id: string;
    job_id: string;
    occurrence_at: Date;
    attempt: number;
    status: string;
    queued_at: Date;
    started_at: Date | null;
    finished_at: Date | null;
    worker_id: string | null;
    error_retryable: boolean | null;
  }>(`SELECT id, job_id, occurrence_at, attempt, status, queued_at, started_at, finished_at, worker_id, error_retryable FROM executions`);
  return rows.map((r) => ({
    id: r.id,
    jobId: r.job_id,
    occurrenceAt: r.occurrence_at.getTime(),
    attempt: r.attempt,
    status: r.status,
    queuedAt: r.queued_at.getTime(),
    startedAt: r.started_at?.getTime(),
    finishedAt: r.finished_at?.getTime(),
    workerId: r.worker_id ?? undefined,
    retryable: r.error_retryable ?? undefined,
  }));
}

/** Every line of every worker's log; a line cut short by SIGKILL is skipped. */
function readWorkLines(dir: string): WorkLine[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return line ? [JSON.parse(line) as WorkLine] : [];
          } catch {
            return [];
          }
        }),
    );
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
  const errors = Object.entries(f.clientErrors)
    .sort()
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
  return [
    `duration ${Math.round(f.durationMs / 1000)} s; jobs ${f.jobs} (${f.recurringJobs} recurring), occurrences ${f.occurrences}, executions ${f.executions} (${statuses})`,
    `chaos actions: ${actions || 'none'}`,
    `handler runs ${f.handlerRuns}, acknowledged outcomes ${f.acknowledgedOutcomes}, rescues ${f.rescues} (unexplained ${f.unexplainedRescues}), max rescue delay ${f.maxRescueDelayMs} ms`,
    `duplicate deliveries ${f.duplicateDeliveries} (${f.concurrentZombieRuns} of them while the earlier run, already rescued, had not yet noticed), duplicate completions 0 unless a violation says otherwise`,
    `occurrences whose retries were used up by chaos ${f.exhaustedByChaos}; cancels acknowledged ${f.cancelsAcknowledged}; forged outcomes refused ${f.forgedOutcomesRefused}`,
    `client errors: ${errors || 'none'}; server error log lines ${f.serverErrorLines}`,
  ];
}
