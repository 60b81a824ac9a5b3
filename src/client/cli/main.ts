#!/usr/bin/env node
// jobscheduler: the command line of the JobScheduler service (docs/cli.md).
import { run } from './run.js';

// grpc-js passes an IP address as the TLS server name, which Node flags on every TLS call to an
// IP (DEP0123); a command line's stderr is for its own one-line errors, so only that is dropped.
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code !== 'DEP0123') process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

// `jobscheduler jobs list | head -1`: a reader that stops early is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await run(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env });
