import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ensureRunAs, loadPostgresBinaries, type PostgresBinaries, type RunAs } from './embedded-binaries.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Extra server settings, e.g. { fsync: 'off' } for throw-away test clusters. */
  settings?: Record<string, string>;
  /** Delete the data directory on stop (test clusters). */
  ephemeral?: boolean;
  log?: (message: string) => void;
}

const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 60_000;

/**
 * A PostgreSQL cluster in a local directory, for development and tests. It runs in its own
 * process group, so a Ctrl-C meant for the service does not shut the database down under it; the
 * service stops it last, after its own connections are closed.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly options: EmbeddedPostgresOptions,
    readonly pid: number,
    readonly port: number,
    private readonly password: string,
    private readonly owned: boolean,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const log = options.log ?? (() => undefined);
    const binaries = await loadPostgresBinaries();
    const runAs = ensureRunAs(binaries);
    const passwordFile = sibling(options.dataDir, 'password');
    if (!(await exists(join(options.dataDir, 'PG_VERSION')))) {
      await initialise(binaries, runAs, options.dataDir, passwordFile);
      log(`initialised a PostgreSQL cluster in ${options.dataDir}`);
    }
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const running = await runningPostmaster(options.dataDir);
    if (running) {
      // Left by an earlier run that was killed (we take it over and stop it at exit), or in use by
      // another live service process on the same directory (we share it and leave it running).
      const owner = await readOwner(options.dataDir);
      const shared = owner !== undefined && owner !== process.pid && isAlive(owner);
      log(`${shared ? 'sharing' : 'adopting'} PostgreSQL already running on this directory (pid ${running.pid}, port ${running.port})`);
      if (!shared) await writeOwner(options.dataDir);
      const instance = new EmbeddedPostgres(options, running.pid, running.port, password, !shared);
      await instance.waitUntilReady();
      return instance;
    }
    const port = options.port || (await freePort());
    const pid = await launch(binaries, runAs, options, port);
    await writeOwner(options.dataDir);
    const instance = new EmbeddedPostgres(options, pid, port, password, true);
    await instance.waitUntilReady();
    log(`PostgreSQL listening on 127.0.0.1:${port} (pid ${pid})`);
    return instance;
  }

  url(database = SUPERUSER): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates the database unless it exists. */
  async ensureDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown: our own connections are closed by now; anything else is disconnected. */
  async stop(): Promise<void> {
    if (!this.owned) return;
    signal(this.pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (isAlive(this.pid)) {
      if (Date.now() > deadline) signal(this.pid, 'SIGQUIT');
      await sleep(50);
    }
    if (this.options.ephemeral) {
      await rm(this.options.dataDir, { recursive: true, force: true });
      for (const suffix of ['password', 'log', 'owner']) await rm(sibling(this.options.dataDir, suffix), { force: true });
    }
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (!isAlive(this.pid)) {
          throw new Error(`embedded PostgreSQL exited during start-up; see ${logFile(this.options.dataDir)}`);
        }
        if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not accept connections: ${String(error)}`);
        await sleep(100);
      }
    }
  }
}

/**
 * initdb into a sibling directory that is renamed into place when complete, so an interrupted
 * first start never leaves a half-initialised cluster behind.
 */
async function initialise(binaries: PostgresBinaries, runAs: RunAs, dataDir: string, passwordFile: string): Promise<void> {
  const staging = `${dataDir}.initialising`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(staging, { mode: 0o700 });
  await writeFile(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined && runAs.gid !== undefined) {
    await chown(staging, runAs.uid, runAs.gid);
    await chown(passwordFile, runAs.uid, runAs.gid);
  }
  const args = [
    `--pgdata=${staging}`,
    `--username=${SUPERUSER}`,
    `--pwfile=${passwordFile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=peer',
    '--encoding=UTF8',
    '--no-locale',
  ];
  const output = await run(binaries.initdb, args, runAs);
  if (output.code !== 0) throw new Error(`initdb failed (exit ${output.code}): ${output.stderr.trim()}`);
  await rmdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTEMPTY') throw new Error(`${dataDir} is not empty and holds no PostgreSQL cluster; choose another EMBEDDED_POSTGRES_DIR`);
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, dataDir);
}

async function launch(binaries: PostgresBinaries, runAs: RunAs, options: EmbeddedPostgresOptions, port: number): Promise<number> {
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', max_connections: '300', ...options.settings };
  const args = ['-D', options.dataDir, '-p', String(port)];
  for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
  const logHandle = await open(logFile(options.dataDir), 'a');
  try {
    const child = spawn(binaries.postgres, args, { ...runAs, detached: true, stdio: ['ignore', logHandle.fd, logHandle.fd] });
    if (child.pid === undefined) throw new Error(`could not start ${binaries.postgres}`);
    child.unref();
    return child.pid;
  } finally {
    await logHandle.close();
  }
}

function logFile(dataDir: string): string {
  return sibling(dataDir, 'log');
}

/** Which service process started (and will stop) the cluster. */
async function readOwner(dataDir: string): Promise<number | undefined> {
  const text = await readFile(sibling(dataDir, 'owner'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.trim());
}

async function writeOwner(dataDir: string): Promise<void> {
  await writeFile(sibling(dataDir, 'owner'), `${process.pid}\n`);
}

/** Files that belong to a cluster live next to its directory: .data/postgres.{password,log,owner}. */
function sibling(dataDir: string, suffix: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.${suffix}`);
}

/** postmaster.pid: line 1 is the pid, line 4 the port. */
async function runningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && port > 0 ? { pid, port } : undefined;
}

function run(command: string, args: string[], runAs: RunAs): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...runAs, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stderr }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePromise(address.port) : reject(new Error('no port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
