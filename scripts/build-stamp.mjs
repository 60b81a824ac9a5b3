#!/usr/bin/env node
// `node scripts/build-stamp.mjs write` ends `npm run build`: it records that dist/ was built from
// the sources as they are now. `node scripts/build-stamp.mjs ensure` is npm's prestart: when dist/
// is missing or any input of the build changed since (sources, web pages, build scripts,
// tsconfig, package.json, the lockfile), it runs `npm run build` first, so `npm ci && npm start`
// works on a fresh clone; otherwise it only compares file times and exits. A deployed copy
// without src/ never gets here (package.json's prestart skips it), and the container image runs
// node directly: production starts never compile.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = join('dist', '.build-stamp');
const OUTPUT = join('dist', 'src', 'main.js');
const INPUTS = ['src', 'web', 'scripts', 'tsconfig.json', 'package.json', 'package-lock.json'];

/** The first file under `path` modified after `since`, or undefined. */
function newerThan(path, since) {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > since ? path : undefined;
  for (const name of readdirSync(path)) {
    const found = newerThan(join(path, name), since);
    if (found) return found;
  }
  return undefined;
}

function staleness() {
  if (!existsSync(OUTPUT) || !existsSync(STAMP)) return `${OUTPUT} is missing or was not built by npm run build`;
  const since = statSync(STAMP).mtimeMs;
  for (const input of INPUTS) {
    const changed = newerThan(input, since);
    if (changed) return `${changed} changed after the last build`;
  }
  return undefined;
}

const command = process.argv[2];
if (command === 'write') {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
} else if (command === 'ensure') {
  const reason = staleness();
  if (reason) {
    process.stderr.write(`npm start: ${reason}; building first (npm run build)\n`);
    // The build's output goes to stderr: stdout is the service's log.
    const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 2, 2] });
    if (build.status !== 0) {
      process.stderr.write('npm start: the build failed (see above); dev dependencies are needed to build: npm ci\n');
      process.exit(1);
    }
  }
} else {
  process.stderr.write('usage: node scripts/build-stamp.mjs write|ensure\n');
  process.exit(2);
}
