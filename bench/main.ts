import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceProcess } from '../test/support/service-process.js';
import { describeEnvironment } from './support/environment.js';
import { report, type ScenarioResult } from './support/report.js';
import { grpcRoundtrip } from './scenarios/grpc-roundtrip.js';

/**
 * npm run bench [-- --quick] [--address host:port] [--out dir]
 * Starts the service as its own process (embedded PostgreSQL unless DATABASE_URL is set), or
 * measures a running one given by --address; prints a table and writes one JSON document.
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    address: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});

async function main(): Promise<void> {
  const quick = values.quick ?? false;
  let service: ServiceProcess | undefined;
  let scratch: string | undefined;
  let address = values.address;
  if (!address) {
    scratch = mkdtempSync(join(tmpdir(), 'jobscheduler-bench-'));
    chmodSync(scratch, 0o755);
    service = ServiceProcess.spawn({ GRPC_PORT: '0', EMBEDDED_POSTGRES_DIR: join(scratch, 'postgres'), ...env('DATABASE_URL') });
    address = await service.started();
  }
  try {
    const results: ScenarioResult[] = [];
    results.push(await grpcRoundtrip(address, quick ? { calls: 200, concurrency: 8, seconds: 1 } : { calls: 5000, concurrency: 64, seconds: 5 }));
    const file = report(results, { ...describeEnvironment(), quick }, values.out ?? 'bench/results');
    process.stdout.write(`\nwrote ${file}\n`);
  } finally {
    service?.kill('SIGTERM');
    await service?.exit();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function env(name: string): Record<string, string> {
  const value = process.env[name];
  return value ? { [name]: value } : {};
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
