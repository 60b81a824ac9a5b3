/**
 * What a chaos run records, and the checks that judge it. Pure functions over plain records (the
 * database's executions and jobs, the workers' logs, the harness's own notes of kills, cancels and
 * probes), so the checks themselves are unit-tested against runs made up to break each rule
 * (test/unit/reliability/chaos-model.test.ts).
 */

/** grpc-js channel options: spread calls over every replica of a multi-address target. */
export const ROUND_ROBIN = { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) };

/** A grpc-js target naming every replica: `ipv4:127.0.0.1:p1,127.0.0.1:p2,…`. */
export function replicaTarget(ports: readonly number[]): string {
  return `ipv4:${ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
}

/** One line of a chaos worker's log (chaos-worker.ts). Times are Date.now() on the same machine as the service. */
export type WorkLine =
  | { e: 'start'; x: string; j: string; o: number; a: number; w: string; t: number }
  | { e: 'end'; x: string; r: 'ok' | 'fail' | 'abort'; t: number }
  | { e: 'ack'; x: string; k: 'success' | 'failure'; t: number }
  | { e: 'refused'; x: string; code: number; t: number };

export interface ExecutionRecord {
  readonly id: string;
  readonly jobId: string;
  readonly occurrenceAt: number;
  readonly attempt: number;
  readonly status: string;
  readonly queuedAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly workerId: string | undefined;
  /** error_retryable: set for failed, lost and timed_out. */
  readonly retryable: boolean | undefined;
}

export interface JobRecord {
  readonly id: string;
  /** What its handler does (payload.mode): ok, slow, flaky, fail, fatal, hang, cancel. */
  readonly mode: string;
  readonly recurring: boolean;
  readonly maxRetries: number;
  readonly state: string;
}

/** One worker process (one generation of a worker slot), as the harness saw it. */
export interface WorkerLife {
  readonly workerId: string;
  /** When it was killed with SIGKILL (its leases can only be rescued). */
  killedAt?: number;
  /** When it was stopped with SIGTERM. */
  stoppedAt?: number;
  /** SIGSTOP … SIGCONT windows. */
  readonly frozen: { from: number; to: number }[];
}

export interface CancelRecord {
  readonly kind: 'execution' | 'job';
  readonly jobId: string;
  readonly executionId: string;
  /** When the OK answer arrived. */
  readonly ackAt: number;
}

export interface ProbeRecord {
  /** Outcomes sent with a lease token that was not the execution's (another execution's, or made up). */
  sent: number;
  refused: number;
  /** Accepted forged outcomes: each is a broken fence. */
  readonly accepted: string[];
}

export interface RunInput {
  readonly jobs: readonly JobRecord[];
  readonly executions: readonly ExecutionRecord[];
  readonly lines: readonly WorkLine[];
  readonly lives: readonly WorkerLife[];
  readonly cancels: readonly CancelRecord[];
  readonly probes: ProbeRecord;
  readonly leaseMs: number;
  readonly reaperMs: number;
  /** Allowed on top of lease + reaper interval for a rescue (scheduling noise on a busy machine). */
  readonly rescueSlackMs: number;
}

export interface Figures {
  jobs: number;
  recurringJobs: number;
  occurrences: number;
  executions: number;
  byStatus: Record<string, number>;
  handlerRuns: number;
  acknowledgedOutcomes: number;
  rescues: number;
  /** Rescues of leases whose worker was neither killed, stopped nor frozen (each is also a violation). */
  unexplainedRescues: number;
  maxRescueDelayMs: number;
  /** Deliveries of an occurrence after one that did not end with the handler's own failure. */
  duplicateDeliveries: number;
  /** Of those, deliveries that started while the earlier run was still going (a zombie worker). */
  concurrentZombieRuns: number;
  /** Occurrences whose retries were all used up by kills and freezes (allowed; counted). */
  exhaustedByChaos: number;
  cancelsAcknowledged: number;
  forgedOutcomesRefused: number;
}

const SUCCESS_MODES = new Set(['ok', 'slow', 'flaky']);
const RETRIED = new Set(['lost', 'timed_out']);
/** DB timestamps (replica clock, ms) against worker and harness clocks (same machine): allow a little. */
const CLOCK_SLACK_MS = 20;

/** Judges a run: returns the figures and every broken guarantee, each as one readable line. */
export function analyseRun(input: RunInput): { figures: Figures; violations: string[] } {
  const violations: string[] = [];
  const fail = (message: string) => {
    if (violations.length < 200) violations.push(message);
  };
  const jobs = new Map(input.jobs.map((job) => [job.id, job]));
  const executions = new Map(input.executions.map((e) => [e.id, e]));
  const byStatus: Record<string, number> = {};
  for (const e of input.executions) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;

  // Occurrences: attempts 1..n, each earlier one retried, the last one as the policy says.
  const occurrences = groupBy(input.executions, (e) => `${e.jobId}@${e.occurrenceAt}`);
  let exhaustedByChaos = 0;
  for (const [key, group] of occurrences) {
    const attempts = [...group].sort((a, b) => a.attempt - b.attempt);
    const job = jobs.get(attempts[0]!.jobId);
    const last = attempts.at(-1)!;
    attempts.forEach((e, i) => {
      if (e.attempt !== i + 1) fail(`occurrence ${key}: attempts are ${attempts.map((a) => a.attempt).join(',')}, not 1..${attempts.length}`);
      if (i < attempts.length - 1 && !(RETRIED.has(e.status) || (e.status === 'failed' && e.retryable === true))) {
        fail(`occurrence ${key}: attempt ${e.attempt} ended ${e.status}${e.status === 'failed' ? ' (not retryable)' : ''}, yet attempt ${e.attempt + 1} exists`);
      }
    });
    const succeeded = attempts.filter((e) => e.status === 'succeeded');
    if (succeeded.length > 1) fail(`occurrence ${key}: ${succeeded.length} attempts succeeded (a duplicate completion)`);
    if (last.status === 'queued' || last.status === 'running') fail(`occurrence ${key}: attempt ${last.attempt} was left ${last.status}`);
    if (!attempts.some((e) => e.startedAt !== undefined) && last.status !== 'cancelled') fail(`occurrence ${key}: never ran (ended ${last.status})`);
    const retriable = RETRIED.has(last.status) || (last.status === 'failed' && last.retryable === true);
    if (job && retriable && last.attempt !== job.maxRetries + 1) {
      fail(`occurrence ${key}: ended ${last.status} at attempt ${last.attempt} with retries left (max_retries ${job.maxRetries})`);
    }
    if (!job) continue;
    if (SUCCESS_MODES.has(job.mode) && last.status !== 'succeeded') {
      if (retriable && attempts.every((e) => RETRIED.has(e.status) || (e.status === 'failed' && e.retryable === true))) exhaustedByChaos += 1;
      else fail(`occurrence ${key}: a ${job.mode} job ended ${last.status}`);
    }
    if (!SUCCESS_MODES.has(job.mode) && job.mode !== 'cancel' && succeeded.length > 0) fail(`occurrence ${key}: a ${job.mode} job (its handler never succeeds) was recorded succeeded`);
  }

  // Jobs: every one-shot fired and ended; its state agrees with its occurrence.
  const occurrencesOf = groupBy(input.executions, (e) => e.jobId);
  for (const job of input.jobs) {
    const mine = occurrencesOf.get(job.id) ?? [];
    if (job.recurring) {
      if (!['paused', 'cancelled'].includes(job.state)) fail(`recurring job ${job.id} (${job.mode}) is ${job.state} after the run (expected paused or cancelled)`);
      continue;
    }
    if (mine.length === 0 && job.state !== 'cancelled') fail(`one-shot job ${job.id} (${job.mode}) never fired (state ${job.state})`);
    if (!['completed', 'failed', 'cancelled'].includes(job.state)) fail(`one-shot job ${job.id} (${job.mode}) is still ${job.state}`);
    const last = [...mine].sort((a, b) => b.attempt - a.attempt)[0];
    if (job.state === 'completed' && last?.status !== 'succeeded') fail(`one-shot job ${job.id} is completed but its last attempt ended ${last?.status}`);
    if (job.state === 'failed' && last?.status === 'succeeded') fail(`one-shot job ${job.id} is failed but its last attempt succeeded`);
  }

  // What the workers were told: each acknowledged outcome is what the database holds, once.
  const acks = input.lines.filter((l): l is Extract<WorkLine, { e: 'ack' }> => l.e === 'ack');
  for (const [id, mine] of groupBy(acks, (a) => a.x)) {
    if (mine.length > 1) fail(`execution ${id}: its outcome was acknowledged ${mine.length} times`);
    const stored = executions.get(id);
    const want = mine[0]!.k === 'success' ? 'succeeded' : 'failed';
    if (stored?.status !== want) fail(`execution ${id}: a worker was told its ${mine[0]!.k} was recorded, but it is ${stored?.status ?? 'missing'}`);
  }

  // Handler runs: never two deliveries of one execution; runs of one occurrence overlap only
  // when the earlier attempt had already been rescued or cancelled when the later attempt's run
  // started (the zombie's outcome is refused). Attempts, not start times, say which is earlier: a
  // worker frozen between acquiring and starting its handler starts it after the retry did.
  const lives = new Map(input.lives.map((life) => [life.workerId, life]));
  const ends = new Map(input.lines.filter((l): l is Extract<WorkLine, { e: 'end' }> => l.e === 'end').map((l) => [l.x, l]));
  const starts = input.lines.filter((l): l is Extract<WorkLine, { e: 'start' }> => l.e === 'start');
  for (const [id, mine] of groupBy(starts, (s) => s.x)) if (mine.length > 1) fail(`execution ${id} was delivered ${mine.length} times`);
  const runs = starts.map((s) => {
    const life = lives.get(s.w);
    const end = ends.get(s.x);
    return { start: s, end: end?.t ?? life?.killedAt ?? life?.stoppedAt ?? Number.POSITIVE_INFINITY, result: end?.r, execution: executions.get(s.x) };
  });
  let duplicateDeliveries = 0;
  let concurrentZombieRuns = 0;
  for (const [key, mine] of groupBy(runs, (r) => (r.execution ? `${r.execution.jobId}@${r.execution.occurrenceAt}` : `?${r.start.x}`))) {
    const ordered = [...mine].sort((a, b) => a.start.t - b.start.t);
    ordered.forEach((later, i) => {
      if (i === 0) return;
      if (ordered[i - 1]!.result !== 'fail') duplicateDeliveries += 1;
      for (const other of ordered.slice(0, i)) {
        if (later.start.t >= other.end || other.start.x === later.start.x) continue;
        const [lower, higher] = other.start.a < later.start.a ? [other, later] : [later, other];
        const first = lower.execution;
        const released = first && ['lost', 'timed_out', 'cancelled'].includes(first.status) && (first.finishedAt ?? Infinity) <= higher.start.t + CLOCK_SLACK_MS;
        if (released) concurrentZombieRuns += 1;
        else fail(`occurrence ${key}: attempt ${higher.start.a} ran from ${higher.start.t} alongside attempt ${lower.start.a}, which still held a live lease (it ended ${first?.status ?? 'unknown'} at ${first?.finishedAt})`);
      }
    });
  }
  for (const run of runs) {
    if (run.execution?.status === 'succeeded' && (run.result === 'fail' || run.result === 'abort')) {
      fail(`execution ${run.start.x}: its handler ended with ${run.result === 'fail' ? 'a failure' : 'an abort'}, yet it is recorded succeeded`);
    }
  }

  // Cancels that were acknowledged were honoured.
  const ackedIds = new Set(acks.map((a) => a.x));
  for (const cancel of input.cancels) {
    if (cancel.kind === 'execution') {
      const stored = executions.get(cancel.executionId);
      if (stored?.status !== 'cancelled') fail(`CancelExecution ${cancel.executionId} was acknowledged, but it ended ${stored?.status ?? 'missing'}`);
      if (ackedIds.has(cancel.executionId)) fail(`CancelExecution ${cancel.executionId} was acknowledged, and so was a worker's outcome for it`);
      continue;
    }
    const job = jobs.get(cancel.jobId);
    if (job?.state !== 'cancelled') fail(`CancelJob ${cancel.jobId} was acknowledged, but the job is ${job?.state ?? 'missing'}`);
    for (const e of occurrencesOf.get(cancel.jobId) ?? []) {
      if (e.queuedAt > cancel.ackAt + CLOCK_SLACK_MS) fail(`CancelJob ${cancel.jobId}: execution ${e.id} was queued after the cancel was acknowledged`);
      if (e.status !== 'cancelled' && (e.finishedAt ?? 0) > cancel.ackAt + CLOCK_SLACK_MS) fail(`CancelJob ${cancel.jobId}: execution ${e.id} ended ${e.status} after the cancel was acknowledged`);
    }
  }

  for (const id of input.probes.accepted) fail(`execution ${id}: an outcome with another lease's token was accepted (the fence is broken)`);

  // Rescues: how long after the worker died (or froze) its leases were taken back.
  let maxRescueDelayMs = 0;
  let unexplainedRescues = 0;
  const bound = input.leaseMs + input.reaperMs + input.rescueSlackMs;
  for (const e of input.executions.filter((x) => x.status === 'lost')) {
    const life = e.workerId === undefined ? undefined : lives.get(e.workerId);
    const finished = e.finishedAt ?? 0;
    const causes = [life?.killedAt, life?.stoppedAt, ...(life?.frozen.map((f) => f.from) ?? [])].filter((t): t is number => t !== undefined && t <= finished && t >= (e.startedAt ?? 0) - input.leaseMs);
    if (causes.length === 0) {
      // The reaper took a lease whose worker was alive and running: it stole live work.
      unexplainedRescues += 1;
      fail(`execution ${e.id}: rescued as lost although its worker ${e.workerId ?? '?'} was neither killed, stopped nor frozen`);
      continue;
    }
    const delay = finished - Math.max(...causes);
    maxRescueDelayMs = Math.max(maxRescueDelayMs, delay);
    if (delay > bound) fail(`execution ${e.id}: rescued ${delay} ms after its worker ${e.workerId} died or froze (bound ${bound} ms = lease + reaper interval + ${input.rescueSlackMs} ms)`);
  }

  const figures: Figures = {
    jobs: input.jobs.length,
    recurringJobs: input.jobs.filter((j) => j.recurring).length,
    occurrences: occurrences.size,
    executions: input.executions.length,
    byStatus,
    handlerRuns: starts.length,
    acknowledgedOutcomes: acks.length,
    rescues: byStatus.lost ?? 0,
    unexplainedRescues,
    maxRescueDelayMs,
    duplicateDeliveries,
    concurrentZombieRuns,
    exhaustedByChaos,
    cancelsAcknowledged: input.cancels.length,
    forgedOutcomesRefused: input.probes.refused,
  };
  return { figures, violations };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
