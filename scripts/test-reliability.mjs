#!/usr/bin/env node
// The long runs of the reliability tests (docs/reliability.md), which `npm test` runs briefly:
//   npm run test:chaos -- --duration 10m [--report chaos.json]
//   npm run test:endurance -- --duration 30m [--report endurance.json]
//   npm run test:fuzz -- --cases 10000 [--seed 42] [--rpc WorkerService/ReportOutcomes] [--case generated:537] [--raw-cases 150] [--max-failures 10]
// Other arguments go to mocha. The durations take ms, s, m or h. The fuzz run draws a new seed
// unless given one (npm test uses a fixed one); a failure prints the command that replays it.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';

const [kind, ...args] = process.argv.slice(2);
const suites = {
  chaos: { file: 'dist/test/reliability/chaos.test.js', duration: 'CHAOS_DURATION_MS', report: 'CHAOS_REPORT' },
  endurance: { file: 'dist/test/reliability/endurance.test.js', duration: 'ENDURANCE_DURATION_MS', report: 'ENDURANCE_REPORT' },
  fuzz: { file: 'dist/test/reliability/fuzz.test.js' },
};
const suite = suites[kind];
if (!suite) {
  process.stderr.write(`usage: test-reliability.mjs chaos|endurance|fuzz [--duration 10m] [--report file.json] [--cases N] [--seed N] [--rpc Service/Method[,…]] [--case kind:N] [--raw-cases N] [--max-failures N] [mocha arguments]\n`);
  process.exit(2);
}

function milliseconds(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text ?? '');
  if (!match) {
    process.stderr.write(`test:${kind}: --duration must look like 90s, 10m or 1h, got ${JSON.stringify(text ?? '')}\n`);
    process.exit(2);
  }
  return Math.round(Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2]]);
}

const env = { ...process.env };
const rest = [];
for (let i = 0; i < args.length; i += 1) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2);
  const value = () => inline ?? args[++i];
  if (flag === '--duration' && suite.duration) env[suite.duration] = String(milliseconds(value()));
  else if (flag === '--report' && suite.report) env[suite.report] = value();
  else if (flag === '--cases' && kind === 'fuzz') env.FUZZ_CASES = value();
  else if (flag === '--seed' && kind === 'fuzz') env.FUZZ_SEED = value();
  else if (flag === '--rpc' && kind === 'fuzz') env.FUZZ_RPC = [env.FUZZ_RPC, value()].filter(Boolean).join(',');
  else if (flag === '--case' && kind === 'fuzz') env.FUZZ_CASE = value();
  else if (flag === '--raw-cases' && kind === 'fuzz') env.FUZZ_RAW_CASES = value();
  else if (flag === '--max-failures' && kind === 'fuzz') env.FUZZ_MAX_FAILURES = value();
  else rest.push(args[i]);
}
if (kind === 'fuzz') {
  // A long run explores: a seed of its own each time, printed so that the run can be repeated.
  env.FUZZ_SEED ||= String(randomInt(2 ** 31));
  process.stdout.write(`test:fuzz: seed ${env.FUZZ_SEED}\n`);
}

const mocha = ['--no-config', '--require', 'dist/test/support/global-postgres.js', '--timeout', '0', '--forbid-only', '--forbid-pending', '--reporter', 'spec', ...rest, suite.file];
const child = spawn(join('node_modules', '.bin', 'mocha'), mocha, { stdio: 'inherit', env });
child.on('close', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
