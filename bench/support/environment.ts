import { cpus, totalmem, platform, release } from 'node:os';
import { readFileSync } from 'node:fs';

/** What a reader needs to compare figures across runs: the machine and the versions. */
export function describeEnvironment(): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  return {
    machine: {
      cores: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_gib: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
    },
    versions: { node: process.version, jobscheduler: pkg.version },
  };
}
