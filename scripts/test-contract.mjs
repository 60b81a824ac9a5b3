#!/usr/bin/env node
// The contract suite (test/contract) on its own: `npm run test:contract -- --address host:port`
// runs it against a server that is already running (any replica, any data: the suite uses job
// types of its own and deletes its jobs at the end); without --address it starts the service as
// a process on a fresh database, as `npm test` does. Other arguments go to mocha (--grep …).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const args = process.argv.slice(2);
let address;
const rest = [];
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i];
  if (arg === '--address') address = args[++i];
  else if (arg.startsWith('--address=')) address = arg.slice('--address='.length);
  else rest.push(arg);
}
if (address !== undefined && !/^[^\s:]+:\d{1,5}$/.test(address)) {
  process.stderr.write(`test:contract: --address must be host:port, got ${JSON.stringify(address ?? '')}\n`);
  process.exit(2);
}

const mocha = [
  '--no-config',
  '--timeout', '30000',
  '--forbid-only',
  '--forbid-pending',
  '--reporter', 'spec',
  // Only a suite that starts its own server needs the test PostgreSQL.
  ...(address ? [] : ['--require', 'dist/test/support/global-postgres.js']),
  ...rest,
  'dist/test/contract/**/*.test.js',
];
process.stdout.write(address ? `contract suite against ${address}\n` : 'contract suite against a service process of its own\n');
const child = spawn(join('node_modules', '.bin', 'mocha'), mocha, {
  stdio: 'inherit',
  env: { ...process.env, ...(address ? { CONTRACT_ADDRESS: address } : {}) },
});
child.on('close', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
