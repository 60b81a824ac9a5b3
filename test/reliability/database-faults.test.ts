import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import pg from 'pg';
import { createJobSchedulerClient, createWorkerClient } from '../../src/adapters/grpc/client/index.js';
import { createServiceClient } from '../../src/adapters/grpc/client/typed-client.js';
import { EmbeddedPostgres } from '../../src/adapters/pg/embedded-postgres.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../src/gen/health/v1/health_pb.js';
import { createWorker } from '../../src/sdk/index.js';
import { eventually } from '../support/eventually.js';
import { httpGet } from '../support/prometheus-text.js';
import { ServiceProcess } from '../support/service-process.js';
import { CallCodes } from './support/call-codes.js';
import { replicaTarget, ROUND_ROBIN } from './support/chaos-model.js';
import { freePort, isErrorLine } from './support/processes.js';

const TYPE = 'faults.work';
const DATABASE = 'jobscheduler';
const SERVING = HealthCheckResponse_ServingStatus.SERVING;
const NOT_SERVING = HealthCheckResponse_ServingStatus.NOT_SERVING;

/**
 * Two replicas (processes) on a PostgreSQL cluster of their own, under steady load from a client
 * and an SDK worker, while the database is restarted, the replicas' connections are terminated,
 * and statements fail in the middle of transactions. The replicas must stay up, report
 * NOT_SERVING exactly while the database is away, answer UNAVAILABLE (never INTERNAL) when they
 * cannot use it, recover by themselves (LISTEN included), and run every job once.
 */
describe('database faults under load: restart, terminated connections, failing statements', function () {
  this.timeout(240_000);
  let base: string;
  let cluster: EmbeddedPostgres;
  const services: ServiceProcess[] = [];
  const addresses: string[] = [];
  const metrics: string[] = [];
  const serverErrors: string[] = [];
  const exits: string[] = [];

  const startCluster = (port: number) => EmbeddedPostgres.start({ dataDir: join(base, 'postgres'), port, settings: { fsync: 'off', synchronous_commit: 'off' } });

  /** One statement on a connection of its own (the cluster restarts under us). */
  async function admin<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: cluster.url(DATABASE), application_name: 'fault-injector' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'jobscheduler-faults-'));
    chmodSync(base, 0o755);
    // It restarts on this port: one the OS picked could meanwhile be a connection's source port.
    cluster = await startCluster(await freePort());
    await cluster.ensureDatabase(DATABASE);
    for (let i = 0; i < 2; i += 1) {
      const service = ServiceProcess.spawn({
        DATABASE_URL: cluster.url(DATABASE),
        GRPC_PORT: '0',
        DATABASE_POOL_SIZE: '4',
        // Long polling interval: prompt work after a fault proves the LISTEN connection came back.
        POLL_INTERVAL: '10s',
        REAPER_INTERVAL: '500ms',
        HEALTH_CHECK_INTERVAL: '200ms',
        HEALTH_CHECK_TIMEOUT: '1s',
        SHUTDOWN_GRACE: '3s',
        LOG_LEVEL: 'info',
      });
      service.onLog((entry) => {
        if (isErrorLine(entry)) serverErrors.push(`replica ${i}: ${String(entry.msg)} ${JSON.stringify(entry.err ?? {}).slice(0, 300)}`);
      });
      void service.exit().then(({ code, signal }) => exits.push(`replica ${i} exited (${code ?? signal})`));
      services.push(service);
      const started = await service.waitForLog('JobScheduler started');
      addresses.push(started.address as string);
      metrics.push(started.metrics as string);
    }
  });

  after(async () => {
    for (const service of services) service.kill('SIGKILL');
    await Promise.all(services.map((s) => s.exit()));
    await cluster?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('stays up, answers UNAVAILABLE while the database is away (never INTERNAL), recovers by itself and runs every job exactly once', async () => {
    const codes = new CallCodes();
    const target = replicaTarget(addresses.map((a) => Number(a.split(':').pop())));
    const scheduler = createJobSchedulerClient(target, undefined, { ...ROUND_ROBIN, interceptors: [codes.interceptor] });
    const healths = addresses.map((address) => createServiceClient(Health, address));
    const runs = new Map<string, number>();
    const workerLog: string[] = [];
    const worker = createWorker({
      address: target,
      channelOptions: { ...ROUND_ROBIN, interceptors: [codes.interceptor] },
      types: [TYPE],
      concurrency: 16,
      leaseDurationMs: 30_000,
      handler: async (job) => {
        runs.set(job.jobId, (runs.get(job.jobId) ?? 0) + 1);
        // Some run for seconds, so heartbeats and outcomes are in flight when a fault strikes.
        await sleep(job.payload.slow ? 2_500 : 20 + Math.random() * 80);
        return { ok: true };
      },
      logger: (level, message, fields) => {
        if (level === 'warn' || level === 'error') workerLog.push(`${level}: ${message} ${JSON.stringify(fields ?? {})}`);
      },
    });

    // Steady load: one job at a time, retried with the same request_id until it is accepted.
    let stopping = false;
    let paused = false;
    const requestIds: string[] = [];
    const load = (async () => {
      while (!stopping) {
        if (!paused) {
          const requestId = randomUUID();
          requestIds.push(requestId);
          for (;;) {
            try {
              const payload = { slow: requestIds.length % 4 === 0 };
              await scheduler.createJob({ requestId, job: { name: 'fault load', type: TYPE, payload, schedule: { kind: { case: 'once', value: {} } } } }, { deadline: 5_000 });
              break;
            } catch (error) {
              const code = (error as ServiceError).code;
              if (code !== status.UNAVAILABLE && code !== status.DEADLINE_EXCEEDED) throw error;
              await sleep(100);
            }
          }
        }
        await sleep(40);
      }
    })();

    // Health and readiness of each replica, sampled all along.
    const samples: { t: number; replica: number; serving: boolean; ready: number }[] = [];
    const sampling = (async () => {
      while (!stopping) {
        await Promise.all(
          addresses.map(async (_, replica) => {
            const serving = await healths[replica]!.check({ service: '' }, { deadline: 1_000 }).then(
              (r) => r.status === SERVING,
              () => false,
            );
            const ready = await httpGet(metrics[replica]!, '/readyz').then(
              (r) => r.status,
              () => 0,
            );
            samples.push({ t: Date.now(), replica, serving, ready });
          }),
        );
        await sleep(100);
      }
    })();
    const state = async (replica: number) => ({
      serving: (await healths[replica]!.check({ service: '' }, { deadline: 1_000 })).status,
      ready: (await httpGet(metrics[replica]!, '/readyz')).status,
    });
    const bothServing = () => eventually(async () => expect(await Promise.all([0, 1].map(state))).to.deep.equal([0, 1].map(() => ({ serving: SERVING, ready: 200 }))), 20_000);

    /** Each replica holds its LISTEN connection again. */
    const listening = () =>
      eventually(async () => {
        const rows = await admin<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'jobscheduler-listener' AND query LIKE 'LISTEN%'`);
        expect(rows[0]?.n, 'LISTEN connections').to.equal(2);
      }, 20_000);

    /**
     * A job created on one replica reaches a long poll waiting on the other within a few
     * seconds, although both poll only every 10 s: the wake-up went through LISTEN/NOTIFY.
     */
    let probes = 0;
    const wakeUpsCrossReplicas = async () => {
      paused = true;
      await sleep(300);
      for (const [from, to] of [
        [0, 1],
        [1, 0],
      ] as const) {
        probes += 1;
        const type = `faults.listen.${probes}`;
        const waiting = createWorkerClient(addresses[to]!);
        const creator = createJobSchedulerClient(addresses[from]!);
        try {
          const acquired = waiting.acquireExecutions({ workerId: 'listen-probe', jobTypes: [type], capacity: 1, wait: durationFromMs(20_000) }, { deadline: 25_000 });
          await sleep(300);
          const createdAt = Date.now();
          await creator.createJob({ job: { name: 'listen probe', type, schedule: { kind: { case: 'once', value: {} } } } });
          const { executions } = await acquired;
          expect(executions, `a job created on replica ${from} reached the long poll on replica ${to}`).to.have.length(1);
          expect(Date.now() - createdAt, `wake-up from replica ${from} to replica ${to}`).to.be.below(5_000);
          await waiting.completeExecution({ executionId: executions[0]!.execution!.id, leaseToken: executions[0]!.leaseToken });
        } finally {
          waiting.close();
          creator.close();
        }
      }
      paused = false;
    };

    /** A trigger that makes every matching statement fail, for `ms`: a failure in the middle of a transaction. */
    const failingStatements = async (table: string, event: string, sqlstate: string, ms: number) => {
      await admin(`CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN RAISE EXCEPTION 'injected fault' USING ERRCODE = '${sqlstate}'; END $$`);
      await admin(`CREATE TRIGGER injected_fault BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION injected_fault()`);
      await sleep(ms);
      await admin(`DROP TRIGGER injected_fault ON ${table}`);
    };

    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${new Date().toISOString().slice(11, 23)}`);
    try {
      await sleep(2_000);
      await wakeUpsCrossReplicas();

      // 1. PostgreSQL restarts: stop (fast shutdown), stay away, start again on the same port.
      phase('restart');
      const port = cluster.port;
      await cluster.stop();
      await eventually(async () => expect((await Promise.all([0, 1].map(state))).map((s) => [s.serving, s.ready])).to.deep.equal([[NOT_SERVING, 503], [NOT_SERVING, 503]]), 10_000);
      for (const address of addresses) {
        const direct = createJobSchedulerClient(address);
        const refused = await direct.listJobs({}).then(
          () => undefined,
          (error: ServiceError) => error,
        );
        direct.close();
        expect(refused?.code, `${address} while the database is down`).to.equal(status.UNAVAILABLE);
        expect(refused?.details).to.match(/^the database is unavailable/);
      }
      await sleep(1_500);
      cluster = await startCluster(port);
      await bothServing();
      await listening();
      await wakeUpsCrossReplicas();

      // 2. Every connection of the service terminated, three times, under load.
      phase('terminate');
      for (let i = 0; i < 3; i += 1) {
        const terminated = await admin<{ n: number }>(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name LIKE 'jobscheduler%'`);
        expect(terminated[0]?.n, 'connections terminated').to.be.greaterThan(2);
        await sleep(800);
      }
      await bothServing();
      await listening();
      await wakeUpsCrossReplicas();

      // 3. Statements fail mid-transaction: a deadlock victim while recording execution events
      //    (firing, acquiring, reporting outcomes all write events after other rows), then a
      //    statement cancelled (as by statement_timeout) while updating executions.
      phase('deadlock');
      await failingStatements('execution_event_batches', 'INSERT', '40P01', 2_000);
      phase('cancelled statements');
      await failingStatements('executions', 'UPDATE', '57014', 2_000);
      await bothServing();

      phase('settle');
      stopping = true;
      await load;
      await sampling;

      // Every job created ran: exactly one succeeded execution each, nothing left over.
      const jobs = requestIds.length;
      await eventually(async () => {
        const rows = await admin<{ completed: number }>(`SELECT count(*)::int AS completed FROM jobs WHERE type = '${TYPE}' AND state = 'completed'`);
        expect(rows[0]?.completed).to.equal(jobs);
      }, 60_000).catch(async (error: Error) => {
        const stuck = await admin(`SELECT j.state, e.status, e.attempt, e.started_at, e.finished_at, e.lease_expires_at, e.error_message FROM jobs j LEFT JOIN executions e ON e.job_id = j.id
                                   WHERE j.type = '${TYPE}' AND j.state <> 'completed' ORDER BY j.id, e.attempt`);
        throw new Error(`${error.message}; not completed: ${JSON.stringify(stuck)}; worker errors: ${workerLog.filter((l) => l.startsWith('error')).join(' | ')}; phases: ${phases.join(', ')}`);
      });
      const [summary] = await admin<Record<string, number>>(`
        SELECT (SELECT count(*)::int FROM jobs WHERE type = '${TYPE}') AS jobs,
               (SELECT count(DISTINCT request_id)::int FROM jobs WHERE type = '${TYPE}') AS request_ids,
               (SELECT count(*)::int FROM executions WHERE job_type = '${TYPE}' AND status = 'succeeded') AS succeeded,
               (SELECT count(*)::int FROM executions WHERE job_type = '${TYPE}' AND status <> 'succeeded') AS other,
               (SELECT count(*)::int FROM executions WHERE status IN ('queued', 'running')) AS active`);
      expect(summary).to.deep.equal({ jobs, request_ids: jobs, succeeded: jobs, other: 0, active: 0 });
      const duplicates = [...runs.values()].filter((n) => n > 1).length;
      expect(runs.size, 'jobs whose handler ran').to.equal(jobs);
      expect(duplicates, `jobs whose handler ran twice; worker log: ${workerLog.slice(0, 5).join(' | ')}`).to.equal(0);

      // Nothing half-written: every execution has the events of its life, and no event is orphaned.
      const [events] = await admin<{ missing: number; orphans: number }>(`
        SELECT (SELECT count(*)::int FROM executions e
                WHERE NOT EXISTS (SELECT 1 FROM execution_events v WHERE v.execution_id = e.id AND v.kind = 'queued')
                   OR (e.started_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM execution_events v WHERE v.execution_id = e.id AND v.kind = 'started'))
                   OR (e.status NOT IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM execution_events v WHERE v.execution_id = e.id AND v.kind = e.status))) AS missing,
               (SELECT count(*)::int FROM execution_events v WHERE NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = v.execution_id)) AS orphans`);
      expect(events).to.deep.equal({ missing: 0, orphans: 0 });

      // What clients were told: UNAVAILABLE while the database was away, never INTERNAL or UNKNOWN.
      console.log(`      ${jobs} jobs; non-OK answers: ${codes.describe() || 'none'}`);
      expect(codes.unexpected, 'INTERNAL or UNKNOWN answers').to.deep.equal([]);
      expect(codes.count(status.UNAVAILABLE), 'UNAVAILABLE answers').to.be.greaterThan(0);
      expect(serverErrors, 'error log lines of the replicas').to.deep.equal([]);
      expect(exits, 'replicas that exited').to.deep.equal([]);
      // Health followed the database: both replicas were NOT_SERVING (and not ready) at some point, and SERVING again at the end.
      for (const replica of [0, 1]) {
        const mine = samples.filter((s) => s.replica === replica);
        expect(mine.some((s) => !s.serving && s.ready === 503), `replica ${replica} reported NOT_SERVING`).to.equal(true);
        expect(mine.at(-1)).to.deep.include({ serving: true, ready: 200 });
      }
    } finally {
      stopping = true;
      paused = false;
      await load.catch(() => undefined);
      await sampling;
      await worker.stop({ timeoutMs: 1_000 });
      scheduler.close();
      for (const health of healths) health.close();
    }
  });
});
