import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ServiceProcess } from '../../support/service-process.js';
import type { WorkerLife } from './chaos-model.js';

const WORKER_SCRIPT = 'dist/test/reliability/support/chaos-worker.js';

/** A service log line at level error (50) or above. */
export function isErrorLine(entry: Record<string, unknown>): boolean {
  return typeof entry.level === 'number' && entry.level >= 50;
}

/**
 * A free TCP port on 127.0.0.1 below the ephemeral range. A replica restarts on the same port,
 * and a port the OS hands out could meanwhile become the source port of any outgoing connection
 * on the machine (a CI run failed so: EADDRINUSE when a killed replica restarted).
 */
export async function freePort(): Promise<number> {
  const high = firstEphemeralPort();
  for (let tries = 0; tries < 200; tries++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (high - LOWEST_PORT));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST_PORT} and ${high} on 127.0.0.1`);
}

const LOWEST_PORT = 10_000;

/** The lowest port the OS gives outgoing connections (Linux; its default elsewhere). */
export function firstEphemeralPort(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > LOWEST_PORT + 1_000) return low;
  } catch {
    // Not Linux: its default range.
  }
  return 32_768;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Resolves with the promise's value, or undefined after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** One service replica on a fixed port; each start is a new process. */
export class Replica {
  process: ServiceProcess | undefined;
  /** host:port of its /metrics endpoint, once started. */
  metricsAddress: string | undefined;

  /** Set while the harness itself stops the process: any other exit is a crash. */
  private stopping = false;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly onLog: (replica: Replica, entry: Record<string, unknown>) => void,
    private readonly onCrash: (what: string) => void = () => undefined,
  ) {}

  get name(): string {
    return `replica ${this.index}`;
  }

  get pid(): number {
    return this.process?.pid ?? -1;
  }

  async start(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const process = ServiceProcess.spawn({ ...this.env, GRPC_PORT: String(this.port) });
      this.stopping = false;
      void process.exit().then(({ code, signal, stderr }) => {
        if (!this.stopping && this.process === process) this.onCrash(`${this.name} exited by itself (${code ?? signal}): ${stderr.trim().slice(-500)}`);
      });
      process.onLog((entry) => {
        if (entry.msg === 'JobScheduler started' && typeof entry.metrics === 'string') this.metricsAddress = entry.metrics;
        this.onLog(this, entry);
      });
      this.process = process;
      try {
        await process.started();
        return;
      } catch (error) {
        // The port may be held for a moment by the process just killed; try again.
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Sends a signal and waits up to `ms` for the exit; undefined when it did not exit. */
  async signal(signal: NodeJS.Signals, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const process = this.process;
    if (!process) return { code: null, signal: null };
    this.stopping = true;
    process.kill(signal);
    return within(process.exit(), ms);
  }
}

/** One worker slot: a chaos-worker.js process, restarted as a new generation with a new worker id. */
export class WorkerSlot {
  child: ChildProcess | undefined;
  life: WorkerLife | undefined;
  generation = 0;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  /** Set while the harness itself stops the process: any other exit is a crash. */
  private stopping = false;

  constructor(
    readonly index: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly lives: WorkerLife[],
    private readonly onCrash: (what: string) => void = () => undefined,
  ) {}

  get name(): string {
    return `worker ${this.index}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(): Promise<void> {
    this.generation += 1;
    const workerId = `chaos-w${this.index}.${this.generation}`;
    const stderr = openSync(join(this.logDir, `${workerId}.stderr`), 'a');
    const child = spawn(process.execPath, [WORKER_SCRIPT], {
      env: { PATH: process.env.PATH ?? '', ...this.env, CHAOS_WORKER_ID: workerId, CHAOS_LOG: join(this.logDir, `${workerId}.jsonl`) },
      stdio: ['ignore', 'pipe', stderr],
    });
    closeSync(stderr);
    this.child = child;
    this.stopping = false;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const life: WorkerLife = { workerId, frozen: [] };
    void this.exited.then(({ code, signal }) => {
      if (this.stopping || this.child !== child) return;
      life.killedAt ??= Date.now();
      let stderrTail = '';
      try {
        stderrTail = readFileSync(join(this.logDir, `${workerId}.stderr`), 'utf8').trim().slice(-500);
      } catch {
        // No stderr file: nothing to quote.
      }
      this.onCrash(`${this.name} (${workerId}) exited by itself (${code ?? signal}): ${stderrTail}`);
    });
    this.life = life;
    this.lives.push(this.life);
    const ready = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', () => resolve());
      void this.exited.then(({ code }) => reject(new Error(`${workerId} exited (${code}) before it was ready`)));
    });
    await ready;
  }

  async signal(signal: NodeJS.Signals, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    this.stopping = true;
    child.kill(signal);
    return within(this.exited, ms);
  }

  /** SIGSTOP for `ms`, then SIGCONT: a worker frozen (GC pause, VM stall) past its leases. */
  async freeze(ms: number): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const window = { from: Date.now(), to: 0 };
    this.life?.frozen.push(window);
    try {
      process.kill(child.pid, 'SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, ms));
      process.kill(child.pid, 'SIGCONT');
    } catch {
      // It died meanwhile (a crash is reported by the exit handler).
    }
    window.to = Date.now();
  }
}
