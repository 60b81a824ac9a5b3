#!/usr/bin/env node
// npm run pack:client: builds packages/client from src/client, src/sdk, src/adapters/grpc/client
// and src/gen, packs it, and prints the tarball's absolute path, which a consuming project
// installs with `npm install <path>` (README, docs/client.md).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(import.meta.dirname, '..', 'packages', 'client');
// A stale file of a module that no longer exists must not ship.
rmSync(join(dir, 'dist'), { recursive: true, force: true });
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
process.stdout.write(`${join(dir, packed.filename)}\n`);
