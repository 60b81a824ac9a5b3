#!/usr/bin/env node
// The browser tests drive Debian's Chromium (/usr/bin/chromium) with playwright-core, which
// downloads no browser of its own. On a fresh machine this installs it (as root, as CI runs).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stdout.write(`${CHROMIUM} is missing: installing Debian's chromium package\n`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']]) {
    const command = [...sudo, ...args];
    const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) {
      process.stdout.write(`${command.join(' ')} failed (exit ${result.status}); the browser tests need ${CHROMIUM}\n`);
      process.exit(1);
    }
  }
}
const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
process.stdout.write(version.stdout || `${CHROMIUM} does not start: ${version.stderr}\n`);
process.exit(version.status === 0 ? 0 : 1);
