import { randomUUID } from 'node:crypto';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import type pg from 'pg';
import type { JobSchedulerClient, WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import type { CancelRecord, ProbeRecord } from './chaos-model.js';

export const TYPES = ['chaos.a', 'chaos.b'];
export const CALL_DEADLINE_MS = 5_000;

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
const TOTAL_WEIGHT = MODES.reduce((sum, m) => sum + m.weight, 0);
const RECURRING_MODES = [
  { mode: 'ok', ms: 100, maxRetries: 6 },
  { mode: 'slow', ms: 3_000, maxRetries: 6 },
  { mode: 'flaky', ms: 50, maxRetries: 6 },
  { mode: 'fail', ms: 50, maxRetries: 1 },
];

export const uniform = (min: number, max: number) => min + Math.random() * (max - min);
export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** Calls an RPC, retrying what a restarting replica answers; undefined if it kept failing or was refused. */
export type Call = <T>(rpc: string, invoke: () => Promise<T>, attempts?: number) => Promise<{ value?: T; code?: number }>;

/** What the load, the canceller and the prober of one chaos run work with. */
export interface ChaosRun {
  scheduler: JobSchedulerClient;
  /** The client of the confused worker that forges outcomes. */
  rogue: WorkerClient;
  pool: pg.Pool;
  /** Aborted when load and chaos stop. */
  signal: AbortSignal;
  /** Sleeps for `ms`, or less when the signal aborts. */
  pauseFor: (ms: number) => Promise<void>;
  call: Call;
  violation: (message: string) => void;
  jobsPerSecond: number;
  cancels: CancelRecord[];
  probes: ProbeRecord;
}

/** `count` one-shot jobs, their modes drawn by MODES' weights. */
function oneShotRequests(count: number) {
  return Array.from({ length: count }, () => {
    let roll = Math.random() * TOTAL_WEIGHT;
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
}

/** `count` recurring jobs firing every two seconds, cycling through RECURRING_MODES and TYPES. */
export function recurringRequests(count: number) {
  return Array.from({ length: count }, (_, i) => {
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
  });
}

/** Creates one-shot jobs at `jobsPerSecond`, in a batch every 250 ms, until the signal aborts. */
export async function load(run: ChaosRun): Promise<void> {
  const perTick = run.jobsPerSecond / 4;
  let owed = 0;
  while (!run.signal.aborted) {
    owed += perTick;
    const count = Math.floor(owed);
    owed -= count;
    const requests = oneShotRequests(count);
    if (requests.length > 0) {
      const { value } = await run.call('BatchCreateJobs', () => run.scheduler.batchCreateJobs({ requests }, { deadline: CALL_DEADLINE_MS }));
      if (!value) run.violation(`BatchCreateJobs of ${requests.length} jobs kept failing`);
    }
    await run.pauseFor(250);
  }
}

/** Cancels running executions of "cancel" jobs, by CancelExecution and by CancelJob in turn. */
export async function canceller(run: ChaosRun): Promise<void> {
  let turn = 0;
  while (!run.signal.aborted) {
    await run.pauseFor(800);
    const { rows } = await run.pool
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
      ? await run.call('CancelJob', () => run.scheduler.cancelJob({ id: running.job_id, reason }, { deadline: CALL_DEADLINE_MS }), 5)
      : await run.call('CancelExecution', () => run.scheduler.cancelExecution({ id: running.id, reason }, { deadline: CALL_DEADLINE_MS }), 5);
    if (value) run.cancels.push({ kind: byJob ? 'job' : 'execution', jobId: running.job_id, executionId: running.id, ackAt: Date.now() });
  }
}

/** A confused worker: reports outcomes for running executions with another execution's lease token. */
export async function prober(run: ChaosRun): Promise<void> {
  const { rogue, probes } = run;
  let turn = 0;
  while (!run.signal.aborted) {
    await run.pauseFor(600);
    const { rows } = await run.pool
      .query<{ id: string; lease_token: string }>(`SELECT id, lease_token FROM executions WHERE status = 'running' ORDER BY random() LIMIT 2`)
      .catch(() => ({ rows: [] }));
    const [victim, other] = rows;
    if (!victim) continue;
    const leaseToken = other?.lease_token ?? randomUUID();
    turn += 1;
    probes.sent += 1;
    if (turn % 3 === 0) {
      const { value } = await run.call(
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
        ? await run.call('CompleteExecution (forged)', () => rogue.completeExecution({ executionId: victim.id, leaseToken }, { deadline: CALL_DEADLINE_MS }), 5)
        : await run.call('FailExecution (forged)', () => rogue.failExecution({ executionId: victim.id, leaseToken, errorMessage: 'forged', retryable: false }, { deadline: CALL_DEADLINE_MS }), 5);
    if (value) probes.accepted.push(victim.id);
    else if (code === status.FAILED_PRECONDITION || code === status.NOT_FOUND) probes.refused += 1;
  }
}
