import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadReport, SampleMode, WorkerCommand, WorkerReport } from './protocol.js';
import { cpuSeconds } from './proc.js';
import { epochMs } from './time.js';

const WORKER = fileURLToPath(new URL('../processes/worker-process.js', import.meta.url));
const LOAD = fileURLToPath(new URL('../processes/load-process.js', import.meta.url));

function forkChild(script: string, profileDir: string | undefined, name: string): ChildProcess {
  const execArgv: string[] = [];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  return fork(script, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function firstMessage<T extends { kind: string }>(child: ChildProcess, kind: T['kind']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.kind !== kind && message.kind !== 'failed') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (message.kind === 'failed') reject(new Error(`${(message as unknown as { error: string }).error}`));
      else resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`child process exited (${code}) before "${kind}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Worker processes running the SDK; totals of their progress reports. */
export class WorkerFleet {
  private readonly progress = new Map<ChildProcess, Extract<WorkerReport, { kind: 'progress' }>>();
  private readonly listeners = new Set<() => void>();
  readonly samples: number[] = [];
  readonly marks: [number, number][] = [];
  /** When start was sent (epoch ms). */
  startedAt = Number.NaN;

  private constructor(private readonly children: ChildProcess[]) {
    for (const child of children) {
      child.on('message', (message: WorkerReport) => {
        if (message.kind !== 'progress') return;
        this.progress.set(child, message);
        for (const sample of message.samples) this.samples.push(sample);
        for (const mark of message.marks) this.marks.push(mark);
        for (const listener of this.listeners) listener();
      });
    }
  }

  /** Spawns `processes` workers and waits until each has loaded (not yet acquiring). */
  static async spawn(processes: number, profileDir: string | undefined, label: string): Promise<WorkerFleet> {
    const children = Array.from({ length: processes }, (_, i) => forkChild(WORKER, profileDir, `${label}-worker${i}`));
    await Promise.all(children.map((child) => firstMessage(child, 'ready')));
    return new WorkerFleet(children);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid ?? -1);
  }

  /** Starts every worker (round-robin over the addresses), splitting `concurrency` between them. */
  start(options: { addresses: string[]; type: string; concurrency: number; mode: SampleMode; reportEveryMs?: number }): void {
    const n = this.children.length;
    this.startedAt = epochMs();
    this.children.forEach((child, i) => {
      const share = Math.floor(options.concurrency / n) + (i < options.concurrency % n ? 1 : 0);
      const command: WorkerCommand = {
        kind: 'start',
        address: options.addresses[i % options.addresses.length]!,
        type: options.type,
        concurrency: Math.max(1, share),
        mode: options.mode,
        reportEveryMs: options.reportEveryMs ?? 20,
      };
      child.send(command);
    });
  }

  get started(): number {
    let total = 0;
    for (const p of this.progress.values()) total += p.started;
    return total;
  }

  get lastStart(): number {
    return Math.max(...[...this.progress.values()].map((p) => p.lastStart).filter((t) => !Number.isNaN(t)));
  }

  get firstStart(): number {
    return Math.min(...[...this.progress.values()].map((p) => p.firstStart).filter((t) => !Number.isNaN(t)));
  }

  /** Resolves once the workers together have started `count` handlers; rejects after timeoutMs. */
  waitForStarted(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.started < count) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`only ${this.started} of ${count} executions started within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  cpuSeconds(): number {
    return this.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }

  /** Stops the workers gracefully (SDK stop()) and waits for their processes to exit. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || !child.connected) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ kind: 'stop' } satisfies WorkerCommand);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** The load-generator process. */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async spawn(profileDir: string | undefined, label: string): Promise<LoadGenerator> {
    const child = forkChild(LOAD, profileDir, `${label}-load`);
    await firstMessage(child, 'ready');
    return new LoadGenerator(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  cpuSeconds(): number {
    return cpuSeconds(this.child.pid);
  }

  async create(command: Omit<Extract<LoadCommand, { kind: 'create' }>, 'kind'>): Promise<Extract<LoadReport, { kind: 'created' }>> {
    const answer = firstMessage<Extract<LoadReport, { kind: 'created' }>>(this.child, 'created');
    this.child.send({ kind: 'create', ...command } satisfies LoadCommand);
    return answer;
  }

  async run(command: Extract<LoadCommand, { kind: 'cadence' | 'steady' }>): Promise<Extract<LoadReport, { kind: 'done' }>> {
    const answer = firstMessage<Extract<LoadReport, { kind: 'done' }>>(this.child, 'done');
    this.child.send(command);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
