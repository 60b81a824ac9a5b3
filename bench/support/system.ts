import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { LoadGenerator, WorkerFleet } from './children.js';
import { databaseCounters, resetStatements, subtractCounters, topStatements, type BenchCluster, type DatabaseCounters, type StatementCost } from './cluster.js';
import { loadAverage, machineBusySeconds } from './proc.js';
import { externalService, Services } from './services.js';

/** What every scenario is run with (from the command line). */
export interface BenchContext {
  /** Our PostgreSQL (or DATABASE_URL's); undefined when measuring --address without DATABASE_URL. */
  cluster: BenchCluster | undefined;
  /** A running service to measure instead of starting our own. */
  externalAddress: string | undefined;
  /** DATABASE_URL of the external service's database (for counting), if given. */
  externalDatabaseUrl: string | undefined;
  /** Extra environment for the service processes. */
  serviceEnv: Record<string, string>;
  workerProcesses: number;
  profileDir: string | undefined;
  /** bench --alloc-profile: where the services' allocation profiles go. */
  allocProfileDir?: string | undefined;
}

/** The processes of one scenario run: the service replicas, a fresh database, workers, the load generator. */
export interface System {
  readonly addresses: string[];
  /** A pool on the run's database (undefined: no database access). */
  readonly pool: pg.Pool | undefined;
  /** The run's database (undefined: no database access). */
  readonly databaseUrl: string | undefined;
  readonly services: Pick<Services, 'cpuSeconds' | 'memory' | 'pids'>;
  readonly workers: WorkerFleet;
  readonly load: LoadGenerator;
  /** A job type no earlier run used, so workers only see this run's executions. */
  readonly type: string;
  readonly postgresCpuSeconds: () => number;
}

export interface RunOptions {
  replicas?: number;
  env?: Record<string, string>;
  /** Called with the empty, migrated database before the service starts (bulk loads). */
  prepare?: (pool: pg.Pool) => Promise<void>;
}

/** The run's own footprint afterwards: database work and the top statements. */
export interface RunAccounting {
  counters: DatabaseCounters | undefined;
  statements: StatementCost[];
}

/**
 * Runs `body` against a fresh system: a new database on the benchmark's cluster, `replicas`
 * service processes on it, the worker processes (spawned, not started) and the load generator.
 * Everything is stopped afterwards; database counters are read after the service processes
 * exited, because PostgreSQL backends publish their statistics when they end.
 */
export async function withSystem<T>(context: BenchContext, label: string, options: RunOptions, body: (system: System) => Promise<T>): Promise<{ result: T; accounting: RunAccounting }> {
  const cluster = context.cluster;
  const external = context.externalAddress;
  const databaseUrl = external ? context.externalDatabaseUrl : await cluster?.createDatabase(label);
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 2 }) : undefined;
  pool?.on('error', () => undefined);
  let services: Services | ReturnType<typeof externalService> | undefined;
  let workers: WorkerFleet | undefined;
  let load: LoadGenerator | undefined;
  try {
    if (pool && options.prepare && !external) await options.prepare(pool);
    if (pool) await resetStatements(pool);
    const before = pool ? await databaseCounters(pool) : undefined;
    services = external
      ? externalService(external)
      : await Services.start({ databaseUrl: databaseUrl!, replicas: options.replicas ?? 1, env: { ...context.serviceEnv, ...options.env }, profileDir: context.profileDir, allocProfileDir: context.allocProfileDir, label });
    [workers, load] = await Promise.all([WorkerFleet.spawn(Math.max(context.workerProcesses, options.replicas ?? 1), context.profileDir, label), LoadGenerator.spawn(context.profileDir, label)]);
    const system: System = {
      addresses: services.addresses,
      pool,
      databaseUrl,
      services,
      workers,
      load,
      type: `bench.${label}.${randomBytes(3).toString('hex')}`,
      postgresCpuSeconds: () => cluster?.cpuSeconds() ?? Number.NaN,
    };
    const result = await body(system);
    await workers.stop();
    await load.stop();
    await services.stop();
    const counters = pool && before ? subtractCounters(await databaseCounters(pool), before) : undefined;
    const statements = pool ? await topStatements(pool) : [];
    return { result, accounting: { counters, statements } };
  } finally {
    await workers?.stop().catch(() => undefined);
    await load?.stop().catch(() => undefined);
    await services?.stop().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    if (databaseUrl && !external) await cluster?.dropDatabase(databaseUrl);
  }
}

export interface CpuSnapshot {
  at: number;
  service: number;
  workers: number;
  postgres: number;
  load: number;
  machine: number;
}

export function snapshot(system: System): CpuSnapshot {
  return {
    at: performance.now(),
    service: system.services.cpuSeconds(),
    workers: system.workers.cpuSeconds(),
    postgres: system.postgresCpuSeconds(),
    load: system.load.cpuSeconds(),
    machine: machineBusySeconds(),
  };
}

/**
 * CPU seconds each party used between two snapshots, and "other": the rest of the machine (the
 * benchmark itself, and anything else running on it: on a shared machine, the noise).
 */
export function cpuFigures(from: CpuSnapshot, to: CpuSnapshot, prefix = 'cpu'): Record<string, number> {
  const d = (key: keyof CpuSnapshot) => round2(to[key] - from[key]);
  const known = d('service') + d('workers') + d('postgres') + d('load');
  return {
    [`${prefix}_service_s`]: d('service'),
    [`${prefix}_workers_s`]: d('workers'),
    [`${prefix}_postgres_s`]: d('postgres'),
    [`${prefix}_loadgen_s`]: d('load'),
    [`${prefix}_other_s`]: round2(d('machine') - known),
    [`${prefix}_wall_s`]: round2((to.at - from.at) / 1000),
  };
}

export function loadFigure(): Record<string, number> {
  return { load_avg_1m: loadAverage()[0] };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
