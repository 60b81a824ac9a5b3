import type { DatabaseCounters } from '../support/cluster.js';
import type { ScenarioResult } from '../support/report.js';
import { cpuFigures, loadFigure, round2, snapshot, withSystem, type BenchContext, type System } from '../support/system.js';
import { epochMs, sleep } from '../support/time.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { createJobSchedulerClient, createQuotaClient, createWebhookClient } from '../../src/adapters/grpc/client/index.js';
import { WebhookEvent } from '../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { OutsideWindowPolicy, Weekday, WindowEndPolicy, type JobSchema } from '../../src/gen/jobscheduler/v1/job_pb.js';

export interface BurstOptions {
  jobs: number;
  concurrency: number;
  replicas: number;
  /** Scenario name in the report (burst, replicas). */
  name: string;
  /** Size of each job's payload (a JSON string of this many bytes); 0: an empty object. */
  payloadBytes: number;
  /** Other jobs with dependencies exist: a chain A → B → C and a fan-in D after A and C. */
  withDependencies: boolean;
  /** Quotas exist on another type (with work waiting under them), to show they cost the burst's jobs nothing. */
  withQuota?: boolean;
  /** Jobs of another type carry execution windows, to show windows cost the burst's jobs nothing. */
  withWindow?: boolean;
  /** A webhook subscription exists: none; for another type (nothing matches); or for the burst's successes (an outbox row each, sent to a host that does not resolve). */
  webhooks?: 'none' | 'other' | 'matching';
}

/**
 * Burst drain: `jobs` one-shot jobs due now, created in bulk (BatchCreateJobs, 1,000 per call;
 * timed on their own), then workers with `concurrency` handlers in total start. Executions per
 * second from the workers' start until the last handler started, and until the last execution
 * was recorded as succeeded; PostgreSQL commits, statements and row writes per execution.
 */
export async function burst(context: BenchContext, options: BurstOptions): Promise<ScenarioResult> {
  const label = `${options.name}_${options.jobs}_c${options.concurrency}_r${options.replicas}`;
  const { result, accounting } = await withSystem(context, label, { replicas: options.replicas }, async (system) => {
    if (options.withDependencies) await dependentJobs(system.addresses[0]!);
    if (options.withQuota) await quotaOnOtherType(system.addresses[0]!);
    if (options.withWindow) await windowedJobs(system.addresses[0]!);
    if (options.webhooks && options.webhooks !== 'none') await subscription(system.addresses[0]!, options.webhooks === 'matching' ? system.type : 'bench.other');
    const before = snapshot(system);
    const created = await system.load.create({ address: system.addresses[0]!, type: system.type, count: options.jobs, batchSize: Math.max(1, Math.min(1000, Math.floor(3_000_000 / (options.payloadBytes + 300)))), inFlight: 2, schedule: { kind: 'now' }, payloadBytes: options.payloadBytes });
    const ready = snapshot(system);
    system.workers.start({ addresses: system.addresses, type: system.type, concurrency: options.concurrency, mode: 'none', reportEveryMs: 10 });
    const t0 = system.workers.startedAt;
    await system.workers.waitForStarted(options.jobs, 300_000 + options.jobs * 10);
    const lastStart = system.workers.lastStart;
    const succeededAt = await allSucceeded(system, options.jobs);
    const done = snapshot(system);
    const startedSeconds = (lastStart - t0) / 1000;
    const succeededSeconds = (succeededAt - t0) / 1000;
    return {
      figures: {
        create_s: round2(created.ms / 1000),
        create_jobs_per_s: Math.round(options.jobs / (created.ms / 1000)),
        all_started_s: round2(startedSeconds),
        started_per_s: Math.round(options.jobs / startedSeconds),
        all_succeeded_s: round2(succeededSeconds),
        succeeded_per_s: Math.round(options.jobs / succeededSeconds),
        ...cpuFigures(ready, done),
        ...cpuFigures(before, ready, 'create_cpu'),
        ...loadFigure(),
      },
    };
  });
  const per = (value: number | undefined) => (value === undefined ? Number.NaN : Math.round((value / options.jobs) * 100) / 100);
  return {
    scenario: options.name,
    figures: {
      ...result.figures,
      // Everything from the first BatchCreateJobs to the last outcome, per execution.
      pg_commits_per_execution: per(accounting.counters?.commits),
      pg_statements_per_execution: per(accounting.counters?.statements),
      pg_rows_written_per_execution: per(accounting.counters && accounting.counters.inserted + accounting.counters.updated + accounting.counters.deleted),
      // After creation: creating writes each job and its first execution once (and one event
      // row per 1,000), everything else is the drain.
      pg_rows_written_per_execution_drain: per(accounting.counters && drainRows(accounting.counters)),
      // Updates that wrote no index entry: what each table's indexes cost the drain.
      pg_hot_update_share_jobs: hotShare(accounting.counters, 'jobs'),
      pg_hot_update_share_executions: hotShare(accounting.counters, 'executions'),
    },
    configuration: { ...options, worker_processes: Math.max(context.workerProcesses, options.replicas), create_batch: 1000 },
    details: { database: accounting.counters, top_statements: accounting.statements },
  };
}

/** Jobs of another type that depend on each other and never fire during the run. */
async function dependentJobs(address: string): Promise<void> {
  const client = createJobSchedulerClient(address);
  try {
    const create = async (name: string, dependsOn: string[]) => {
      const job: MessageInitShape<typeof JobSchema> = {
        name,
        type: 'bench.dependent',
        schedule: dependsOn.length === 0 ? { kind: { case: 'once', value: { at: { seconds: 4_102_444_800n } } } } : { kind: { case: 'afterUpstream', value: {} } },
        dependsOn: dependsOn.map((jobId) => ({ jobId })),
      };
      return (await client.createJob({ job })).job?.id ?? '';
    };
    const a = await create('A', []);
    const b = await create('B', [a]);
    const c = await create('C', [b]);
    await create('D', [a, c]);
  } finally {
    client.close();
  }
}

/**
 * Jobs of another type with a window that opens only at 03:00-03:01 on Sundays in Europe/Berlin:
 * an every-minute cron job whose fires are deferred to it, and a one-shot due now deferred to it.
 */
async function windowedJobs(address: string): Promise<void> {
  const client = createJobSchedulerClient(address);
  try {
    const executionWindows = { timeZone: 'Europe/Berlin', windows: [{ days: [Weekday.SUNDAY], start: '03:00', end: '03:01' }], outsidePolicy: OutsideWindowPolicy.DEFER, endPolicy: WindowEndPolicy.CANCEL };
    await client.createJob({ job: { name: 'windowed cron', type: 'bench.window', schedule: { kind: { case: 'cron', value: { expression: '* * * * *', timeZone: 'UTC' } } }, executionWindows } });
    await client.createJob({ job: { name: 'windowed once', type: 'bench.window', schedule: { kind: { case: 'once', value: {} } }, executionWindows } });
  } finally {
    client.close();
  }
}

/** A concurrency and a rate limit on another type, per type and per tenant, with a job waiting under them. */
async function quotaOnOtherType(address: string): Promise<void> {
  const quotas = createQuotaClient(address);
  const client = createJobSchedulerClient(address);
  try {
    await quotas.setQuota({ quota: { key: { jobType: 'bench.quota' }, maxRunning: 1, rateLimit: { maxStarts: 10, period: { seconds: 60n } } } });
    await quotas.setQuota({ quota: { key: { jobType: 'bench.quota', labelKey: 'tenant', labelValue: 'a' }, maxRunning: 1 } });
    await client.createJob({ job: { name: 'held', type: 'bench.quota', labels: { tenant: 'a' }, schedule: { kind: { case: 'once', value: {} } } } });
  } finally {
    quotas.close();
    client.close();
  }
}

/** A webhook subscription to successes of `jobType`, at a URL that never resolves (.invalid). */
async function subscription(address: string, jobType: string): Promise<void> {
  const client = createWebhookClient(address);
  try {
    await client.createSubscription({ subscription: { url: 'https://hooks.invalid/bench', events: [WebhookEvent.SUCCEEDED], enabled: true, scope: { case: 'jobType', value: jobType } } });
  } finally {
    client.close();
  }
}

/** Rows written other than the inserts of jobs and executions (which creation makes, one each per job). */
function drainRows(counters: DatabaseCounters): number {
  const created = (counters.tables['jobs']?.inserted ?? 0) + (counters.tables['executions']?.inserted ?? 0);
  return counters.inserted + counters.updated + counters.deleted - created;
}

function hotShare(counters: DatabaseCounters | undefined, table: string): number {
  const t = counters?.tables[table];
  return t && t.updated > 0 ? Math.round((t.hot / t.updated) * 100) / 100 : Number.NaN;
}

/** When the last of the run's executions was recorded as succeeded (epoch ms), polling the database. */
async function allSucceeded(system: System, count: number): Promise<number> {
  if (!system.pool) return Number.NaN;
  for (;;) {
    const { rows } = await system.pool.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE job_type = $1 AND status = 'succeeded'`, [system.type]);
    const now = epochMs();
    if (Number(rows[0]?.n) >= count) return now;
    await sleep(5);
  }
}
