#!/usr/bin/env node
// jobscheduler: the command line of the JobScheduler service (docs/cli.md).
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env });
