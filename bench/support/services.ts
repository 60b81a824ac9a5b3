import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ServiceProcess } from '../../test/support/service-process.js';
import { cpuSeconds, memoryMiB } from './proc.js';

export interface ServiceOptions {
  databaseUrl: string;
  replicas: number;
  /** Extra environment (DATABASE_POOL_SIZE, DISPATCH_BATCH_SIZE, …). */
  env: Record<string, string>;
  /** Write a V8 CPU profile of each replica into this directory at exit. */
  profileDir: string | undefined;
  /** Write an allocation profile of each replica into this directory at exit (allocation-sampler.ts). */
  allocProfileDir?: string | undefined;
  label: string;
}

const ALLOCATION_SAMPLER = new URL('./allocation-sampler.js', import.meta.url).href;

/** Replicas of the service, each its own process (node dist/src/main.js), against one database. */
export class Services {
  private constructor(
    private readonly processes: ServiceProcess[],
    readonly addresses: string[],
  ) {}

  static async start(options: ServiceOptions): Promise<Services> {
    const processes: ServiceProcess[] = [];
    for (const dir of [options.profileDir, options.allocProfileDir]) if (dir) mkdirSync(dir, { recursive: true });
    for (let i = 0; i < options.replicas; i += 1) {
      const name = `${options.label}-service${i}`;
      const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
      const sampled: Record<string, string> = options.allocProfileDir ? { BENCH_ALLOC_PROFILE: join(resolve(options.allocProfileDir), `${name}.heapprofile`) } : {};
      if (options.allocProfileDir) nodeArgs.push('--import', ALLOCATION_SAMPLER);
      processes.push(ServiceProcess.spawn({ GRPC_PORT: '0', DATABASE_URL: options.databaseUrl, ...options.env, ...sampled }, nodeArgs));
    }
    try {
      const addresses = await Promise.all(processes.map((p) => p.started()));
      return new Services(processes, addresses);
    } catch (error) {
      await stopAll(processes);
      throw error;
    }
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }

  cpuSeconds(): number {
    return this.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }

  /** Resident memory of the replicas, MiB: the largest current and the largest peak. */
  memory(): { rss: number; peak: number } {
    const each = this.pids.map(memoryMiB);
    return { rss: Math.max(...each.map((m) => m.rss)), peak: Math.max(...each.map((m) => m.peak)) };
  }

  async stop(): Promise<void> {
    await stopAll(this.processes);
  }
}

async function stopAll(processes: ServiceProcess[]): Promise<void> {
  for (const p of processes) p.kill('SIGTERM');
  await Promise.all(
    processes.map(async (p) => {
      const { code, signal, stderr } = await p.exit();
      if (code !== 0) process.stderr.write(`service ${p.pid} exited with ${code ?? signal}: ${stderr.trim().slice(-2000)}\n`);
    }),
  );
}

/** A service we did not start (--address): nothing to count or stop. */
export function externalService(address: string): Pick<Services, 'addresses' | 'cpuSeconds' | 'memory' | 'stop' | 'pids'> {
  return { addresses: [address], pids: [], cpuSeconds: () => Number.NaN, memory: () => ({ rss: Number.NaN, peak: Number.NaN }), stop: async () => undefined };
}
