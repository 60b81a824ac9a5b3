#!/usr/bin/env node
// The whole test suite, as CI and the README run it (npm test). Each step counts as one check;
// the mocha step counts each test. The last line is always "N passed, N failed".
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
let passed = 0;
let failed = 0;

function run(command, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PATH: `${join(process.cwd(), 'node_modules', '.bin')}:${process.env.PATH}` } });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      if (capture) output += chunk.toString();
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

async function step(name, action) {
  process.stdout.write(`\n== ${name}\n`);
  const ok = await action().catch((error) => {
    process.stdout.write(`${error.stack ?? error}\n`);
    return false;
  });
  if (ok) passed += 1;
  else failed += 1;
  process.stdout.write(`== ${name}: ${ok ? 'ok' : 'FAILED'}\n`);
  return ok;
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Generates into a scratch directory and compares with the committed src/gen. */
async function generatedCodeIsCurrent() {
  const scratch = mkdtempSync(join(tmpdir(), 'jobscheduler-gen-'));
  try {
    const { code } = await run(bin('buf'), ['generate', '--output', scratch]);
    if (code !== 0) return false;
    const fresh = join(scratch, 'src', 'gen');
    const names = (dir) => filesUnder(dir).map((path) => relative(dir, path)).sort();
    const [want, have] = [names(fresh), names('src/gen')];
    const stale = [...new Set([...want, ...have])].filter(
      (name) => !want.includes(name) || !have.includes(name) || readFileSync(join(fresh, name), 'utf8') !== readFileSync(join('src/gen', name), 'utf8'),
    );
    for (const name of stale) process.stdout.write(`src/gen/${name} is stale: run \`make generate\` and commit the result\n`);
    return stale.length === 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A tool the tests run, from Debian's packages: nothing when it is installed, else apt-get as root
 * or through sudo (apt-get update first only if the package is unknown).
 */
async function debianTool(tool, versionArgs, debianPackage) {
  const succeeds = (command, args, stdio = 'ignore') =>
    new Promise((resolve) => {
      const child = spawn(command, args, { stdio, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code === 0));
    });
  if (await succeeds(tool, versionArgs)) return true;
  const [command, ...prefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const apt = (...args) => succeeds(command, [...prefix, ...args], ['ignore', 'inherit', 'inherit']);
  const install = ['install', '-y', '--no-install-recommends', debianPackage];
  if (!(await apt(...install)) && !((await apt('update')) && (await apt(...install)))) return false;
  return succeeds(tool, versionArgs);
}

await step('promtool for the alert-rule tests (Debian package prometheus)', () => debianTool('promtool', ['--version'], 'prometheus'));
await step('jq for the documentation test (docs/api.md pipes answers through it)', () => debianTool('jq', ['--version'], 'jq'));
await step('generated code matches proto/ (buf generate)', generatedCodeIsCurrent);
await step('buf lint', async () => (await run(bin('buf'), ['lint'])).code === 0);
await step('buf breaking against proto/breaking-baseline.binpb', async () => (await run(bin('buf'), ['breaking', '--against', 'proto/breaking-baseline.binpb'])).code === 0);
const built = await step('build (tsc, layer check)', async () => (await run('npm', ['run', '--silent', 'build'])).code === 0);

if (built) {
  await step('benchmark smoke run (bench --quick)', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'jobscheduler-bench-out-'));
    try {
      return (await run('node', ['dist/bench/main.js', '--quick', '--out', scratch])).code === 0;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
  // Before mocha: its browser tests (test/browser) drive this Chromium.
  await step('Debian chromium for the browser tests (installed when missing)', async () => (await run('node', ['scripts/ensure-chromium.mjs'])).code === 0);
  process.stdout.write('\n== mocha (unit, integration and browser tests)\n');
  const { code, output } = await run(bin('mocha'), process.argv.slice(2), { capture: true });
  const count = (word) => Number(/(\d+) (\w+)/.exec(output.match(new RegExp(`^\\s*\\d+ ${word}\\b.*$`, 'm'))?.[0] ?? '')?.[1] ?? 0);
  passed += count('passing');
  failed += count('failing') + count('pending');
  if (code !== 0 && count('failing') === 0) failed += 1; // mocha itself failed (global setup, crash)
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
