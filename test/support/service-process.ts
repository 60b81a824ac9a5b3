import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAIN = 'dist/src/main.js';

/**
 * The V8 flags every start command passes (npm start, the image's CMD, the systemd unit and the
 * commands in the docs; test/integration/deployment/start-commands.test.ts holds them to this).
 * A young generation of 2 × 32 MB instead of Node 20's 2 × 16 MB: about 9 % less of the
 * service's CPU while executions flow, for 40 to 60 MB more memory (docs/performance.md,
 * "The young generation"). No pretenuring: V8 had moved the places that make rows and instants
 * to the old generation, and every page of history with them (docs/performance.md,
 * "Pretenuring off").
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=32', '--no-allocation-site-pretenuring'] as const;

/** The service as its own process (node with SERVICE_NODE_FLAGS, dist/src/main.js), the way operators run it. */
export class ServiceProcess {
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  private readonly streamsClosed: Promise<void>;
  private readonly logListeners = new Set<(entry: Record<string, unknown>) => void>();

  constructor(readonly child: ChildProcess) {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        for (const listener of this.logListeners) listener(entry);
      });
    }
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
    this.streamsClosed = new Promise((resolve) => child.on('close', () => resolve()));
  }

  /** `nodeArgs` go to node before the script (for example --cpu-prof). */
  static spawn(env: Record<string, string>, nodeArgs: readonly string[] = []): ServiceProcess {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, MAIN], { env: { PATH: process.env.PATH ?? '', METRICS_PORT: '0', HTTP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServiceProcess(child);
  }

  /**
   * The service through `npm start`, as the README and a container or unit running `npm start`
   * do. `--ignore-scripts` keeps the prestart (which builds a missing or stale dist/) from
   * running unless `prestart` is set, while npm still runs the start script itself through its
   * own script runner, so signals take the path they take in production. `detached` puts npm in
   * a process group of its own, for signals sent to the group as a terminal's Ctrl-C does; `cwd`
   * is the checkout to start (default: this one).
   */
  static spawnNpmStart(env: Record<string, string>, options: { detached?: boolean; cwd?: string; prestart?: boolean } = {}): ServiceProcess {
    const child = spawn('npm', options.prestart ? ['start'] : ['start', '--ignore-scripts'], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { PATH: process.env.PATH ?? '', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), METRICS_PORT: '0', HTTP_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    return new ServiceProcess(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Calls `listener` with every JSON log line from now on; returns a function that stops it. */
  onLog(listener: (entry: Record<string, unknown>) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /** Resolves with the first JSON log line whose msg matches; rejects if the process exits first. */
  waitForLog(msg: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const listener = (entry: Record<string, unknown>) => {
        if (entry.msg !== msg) return;
        this.logListeners.delete(listener);
        resolve(entry);
      };
      this.logListeners.add(listener);
      void this.exited.then(({ code, stderr }) => reject(new Error(`service exited (${code}) before logging "${msg}": ${stderr.trim()}`)));
    });
  }

  /** Starts and resolves with the gRPC address once the service reports it started. */
  async started(): Promise<string> {
    return (await this.waitForLog('JobScheduler started')).address as string;
  }

  /** Resolves once the process has exited and every holder of its stdout and stderr has closed them. */
  closed(): Promise<void> {
    return this.streamsClosed;
  }

  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return this.exited;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
