import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchCluster } from './support/cluster.js';
import { compareBuilds, runArguments } from './support/compare.js';
import { describeEnvironment } from './support/environment.js';
import { report, type ScenarioResult } from './support/report.js';
import { SIZES, type SizeName } from './support/sizes.js';
import { fileStamp } from './support/time.js';
import type { BenchContext } from './support/system.js';
import { burst } from './scenarios/burst.js';
import { grpcRoundtrip } from './scenarios/grpc-roundtrip.js';
import { latency } from './scenarios/latency.js';
import { punctuality } from './scenarios/punctuality.js';
import { scale } from './scenarios/scale.js';
import { dashboard } from './scenarios/dashboard.js';

const USAGE = `npm run bench -- [options]

  --scenario LIST   comma-separated, from: roundtrip, burst, latency, punctuality, scale, replicas,
                    dashboard
                    (default: all of them; "cost" figures come with burst and replicas);
                    aligned or staggered run one half of punctuality
  --size NAME       quick | small | default | large (see bench/support/sizes.ts)
  --quick           same as --size quick: tiny sizes, for the CI smoke run (< 20 s)
  --address H:P     measure a running service instead of starting one (scale and replicas are
                    skipped: they need a database of their own); with DATABASE_URL set to its
                    database, commits and completion times are counted too
  --out DIR         where the JSON document goes (default bench/results)
  --profile         write V8 CPU profiles of the service, worker and load processes to DIR/profiles-*
  --alloc-profile   write what each service process allocated (sampled, collected objects
                    included) to DIR/alloc-profiles-*; profile-summary.js reads both kinds
  --worker-processes N   worker processes sharing the concurrency (default 2)
  --payload-bytes N      size of each burst job's payload (default 0: an empty object)
  --with-dependencies    burst: a dependency chain and fan-in of other jobs exist (they never
                         fire during the run), to show they cost the burst's jobs nothing
  --with-window          burst: jobs of another type carry execution windows (a cron job whose
                         fires are deferred to the window, a one-shot deferred to it)
  --with-features        burst: --with-dependencies, --with-quota and --with-window together
  --with-quota           burst: quotas exist on another type, with a job held back by them, to
                         show that types without quotas pay nothing for them
  --webhooks WHICH       burst: none (default); other (a webhook subscription for another type:
                         nothing matches); matching (one for the burst's successes: an outbox
                         row per execution, sent to a host that does not resolve)
  --service-env K=V      extra environment for the service processes (repeatable),
                         e.g. --service-env DATABASE_POOL_SIZE=20
  --pg K=V               extra setting for the benchmark's own PostgreSQL (repeatable),
                         e.g. --pg synchronous_commit=off
  --compare DIR          run the same benchmark on the built checkout in DIR (the base) and on
                         this one, alternately, each run its own processes and PostgreSQL, and
                         print both sides' medians and every run's figure (also written, with
                         every run's JSON, to compare-*/ under --out)
  --rounds N             with --compare: rounds of one run per side (default 3)

Without DATABASE_URL it starts its own PostgreSQL (durable settings, as npm start does, plus
pg_stat_statements) and one fresh database and service process per scenario run; with
DATABASE_URL it creates and drops its databases on that server.`;

const ALL = ['roundtrip', 'burst', 'latency', 'punctuality', 'scale', 'replicas', 'dashboard'] as const;
/** Parts of a scenario that can be chosen alone. */
const PARTS = ['aligned', 'staggered'] as const;
type ScenarioName = (typeof ALL)[number] | (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    size: { type: 'string' },
    scenario: { type: 'string' },
    address: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    profile: { type: 'boolean', default: false },
    'alloc-profile': { type: 'boolean', default: false },
    'worker-processes': { type: 'string', default: '2' },
    'payload-bytes': { type: 'string', default: '0' },
    'with-dependencies': { type: 'boolean', default: false },
    'with-quota': { type: 'boolean', default: false },
    'with-window': { type: 'boolean', default: false },
    'with-features': { type: 'boolean', default: false },
    webhooks: { type: 'string', default: 'none' },
    'service-env': { type: 'string', multiple: true, default: [] },
    pg: { type: 'string', multiple: true, default: [] },
    compare: { type: 'string' },
    rounds: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function keyValues(list: readonly string[], option: string): Record<string, string> {
  return Object.fromEntries(
    list.map((item) => {
      const at = item.indexOf('=');
      if (at < 1) throw new Error(`--${option} takes KEY=VALUE, got ${JSON.stringify(item)}`);
      return [item.slice(0, at), item.slice(at + 1)];
    }),
  );
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sizeName = (values.quick ? 'quick' : (values.size ?? 'default')) as SizeName;
  const size = SIZES[sizeName];
  if (!size) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  if (!['none', 'other', 'matching'].includes(values.webhooks ?? 'none')) throw new Error(`--webhooks must be none, other or matching, got ${JSON.stringify(values.webhooks)}`);
  const selected = (values.scenario?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...ALL]) as ScenarioName[];
  for (const name of selected) {
    if (!(ALL as readonly string[]).includes(name) && !(PARTS as readonly string[]).includes(name)) {
      throw new Error(`unknown scenario ${JSON.stringify(name)}; choose from ${[...ALL, ...PARTS].join(', ')}`);
    }
  }
  const out = values.out ?? 'bench/results';
  if (values.compare !== undefined) return compare(values.compare, out);
  if (values.rounds !== undefined) throw new Error('--rounds goes with --compare');
  const stamp = fileStamp();
  const external = values.address;
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const pgSettings = keyValues(values.pg ?? [], 'pg');
  const cluster = external ? undefined : await BenchCluster.start({ url: databaseUrl, settings: pgSettings });
  const context: BenchContext = {
    cluster,
    externalAddress: external,
    externalDatabaseUrl: external ? databaseUrl : undefined,
    serviceEnv: keyValues(values['service-env'] ?? [], 'service-env'),
    workerProcesses: Number(values['worker-processes']),
    profileDir: values.profile ? join(out, `profiles-${stamp}`) : undefined,
    allocProfileDir: values['alloc-profile'] ? join(out, `alloc-profiles-${stamp}`) : undefined,
  };
  const started = performance.now();
  const results: ScenarioResult[] = [];
  const progress = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
  try {
    const postgresVersion = cluster ? await cluster.version() : 'unknown (external service)';
    for (const name of selected) {
      if (external && (name === 'scale' || name === 'replicas' || name === 'dashboard')) {
        progress(`${name}: skipped with --address (needs a database and service processes of its own)`);
        continue;
      }
      for (const run of plan(name, size)) {
        progress(`${run.describe} …`);
        const result = await run.execute(context, external);
        results.push(result);
        progress(`${run.describe} done`);
      }
    }
    const file = report(
      results,
      {
        ...describeEnvironment(),
        size: sizeName,
        postgres: { version: postgresVersion, own_cluster: cluster !== undefined && !databaseUrl, settings: cluster?.settings ?? {} },
        service_env: context.serviceEnv,
        worker_processes: context.workerProcesses,
        profiles: context.profileDir ?? null,
        alloc_profiles: context.allocProfileDir ?? null,
        duration_s: Math.round((performance.now() - started) / 1000),
      },
      out,
    );
    process.stdout.write(`\nwrote ${file}\n`);
  } finally {
    await cluster?.stop();
  }
}

async function compare(baseDir: string, out: string): Promise<void> {
  const rounds = Number(values.rounds ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number of at least 1, got ${JSON.stringify(values.rounds)}`);
  if (values.address !== undefined) throw new Error('--compare starts both builds itself; it cannot measure a running service (--address)');
  const started = performance.now();
  const progress = (line: string) => process.stderr.write(`[compare ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
  const { file, table } = await compareBuilds({ baseDir, thisMain: process.argv[1]!, rounds, runArgs: runArguments(process.argv.slice(2)), out, progress });
  process.stdout.write(`${table}\n\nwrote ${file}\n`);
}

interface Run {
  describe: string;
  execute: (context: BenchContext, external: string | undefined) => Promise<ScenarioResult>;
}

function plan(name: ScenarioName, size: (typeof SIZES)[SizeName]): Run[] {
  switch (name) {
    case 'roundtrip':
      return [{ describe: 'grpc-roundtrip', execute: (context, external) => grpcRoundtripRun(context, external, size.roundtrip) }];
    case 'burst':
      return size.burst.flatMap((jobs) =>
        size.burstConcurrency.map((concurrency) => ({
          describe: `burst ${jobs} jobs, concurrency ${concurrency}`,
          execute: (context: BenchContext) => burst(context, { name: 'burst', jobs, concurrency, replicas: 1, payloadBytes: Number(values['payload-bytes']), withDependencies: values['with-dependencies'] === true || values['with-features'] === true, withQuota: values['with-quota'] === true || values['with-features'] === true, withWindow: values['with-window'] === true || values['with-features'] === true, webhooks: values.webhooks as 'none' | 'other' | 'matching' }),
        })),
      );
    case 'replicas':
      return size.replicas.map((replicas) => ({
        describe: `replicas: burst ${size.replicaJobs} jobs with ${replicas} replica(s)`,
        execute: (context: BenchContext) => burst(context, { name: 'replicas', jobs: size.replicaJobs, concurrency: 10, replicas, payloadBytes: Number(values['payload-bytes']), withDependencies: false }),
      }));
    case 'latency':
      return [{ describe: `latency: ${size.latency.count} jobs, one every ${size.latency.intervalMs} ms`, execute: (context) => latency(context, size.latency) }];
    case 'punctuality':
      return [...plan('aligned', size), ...plan('staggered', size)];
    case 'aligned':
      return size.aligned.map((jobs) => ({ describe: `punctuality: ${jobs} aligned`, execute: (context: BenchContext) => punctuality(context, { kind: 'aligned', jobs, spreadMs: 0 }) }));
    case 'staggered':
      return [
        {
          describe: `punctuality: ${size.staggered.jobs} staggered over ${size.staggered.spreadMs / 1000} s`,
          execute: (context: BenchContext) => punctuality(context, { kind: 'staggered', ...size.staggered }),
        },
      ];
    case 'scale':
      return [{ describe: `scale: ${size.scale.jobs} jobs, ${size.scale.executions} executions`, execute: (context) => scale(context, size.scale) }];
    case 'dashboard':
      return [{ describe: `dashboard: ${size.dashboard.jobs} jobs, ${size.dashboard.executions} executions`, execute: (context) => dashboard(context, size.dashboard) }];
  }
}

async function grpcRoundtripRun(context: BenchContext, external: string | undefined, options: (typeof SIZES)[SizeName]['roundtrip']): Promise<ScenarioResult> {
  if (external) return grpcRoundtrip(external, options);
  const { Services } = await import('./support/services.js');
  const url = await context.cluster!.createDatabase('roundtrip');
  const services = await Services.start({ databaseUrl: url, replicas: 1, env: context.serviceEnv, profileDir: undefined, label: 'roundtrip' });
  try {
    return await grpcRoundtrip(services.addresses[0]!, options);
  } finally {
    await services.stop();
    await context.cluster!.dropDatabase(url);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
