import type pg from 'pg';
import { ServiceProcess } from './service-process.js';
import { TestDatabase } from './test-database.js';

/** Log lines kept per replica: enough to see what led up to a failure without drowning the report. */
const KEPT_LINES = 200;

/** One replica of a fleet: its process and the gRPC address it serves on. */
export interface Replica {
  readonly service: ServiceProcess;
  readonly address: string;
}

/** `count` replicas as a tuple, so that `const [a, b] = await fleet.start(2)` needs no checks. */
type Replicas<N extends number, R extends Replica[] = []> = number extends N ? Replica[] : R['length'] extends N ? R : Replicas<N, [...R, Replica]>;

/**
 * Replicas of the service as processes (node dist/src/main.js), all on one database of their
 * own and each on free ports, for tests of what replicas do together and of one killed among
 * them. Every replica's log is kept, and printed when a test it served fails, since a crash or a
 * stuck replica is otherwise invisible in the report.
 */
export class ServiceFleet {
  private opened: { database: TestDatabase; pool: pg.Pool } | undefined;
  private readonly spawned: { service: ServiceProcess; lines: string[] }[] = [];

  /** `env` configures every replica (DATABASE_URL and GRPC_PORT are the fleet's). */
  private constructor(private readonly env: Record<string, string>) {}

  /**
   * A fleet for the calling describe: a fresh database before its tests (before each test with
   * `eachTest`), and after them (after each) the replicas killed, their logs printed if a test
   * failed, and the database dropped.
   */
  static forSuite(env: Record<string, string>, options: { eachTest?: boolean } = {}): ServiceFleet {
    const fleet = new ServiceFleet(env);
    const eachTest = options.eachTest ?? false;
    (eachTest ? beforeEach : before)(() => fleet.open());
    (eachTest ? afterEach : after)(async function () {
      const tests = eachTest ? [this.currentTest] : (this.test?.parent?.tests ?? []);
      await fleet.close(tests.some((test) => test?.state === 'failed'));
    });
    return fleet;
  }

  /** A pool on the fleet's database, for tests that look at rows directly. */
  get pool(): pg.Pool {
    return this.ready().pool;
  }

  /** Starts `count` replicas at once; resolves, in start order, once each has said it serves. */
  start<N extends number>(count: N): Promise<Replicas<N>> {
    return Promise.all(Array.from({ length: count }, () => this.startOne())) as Promise<Replicas<N>>;
  }

  private async startOne(): Promise<Replica> {
    const service = ServiceProcess.spawn({ ...this.env, DATABASE_URL: this.ready().database.url, GRPC_PORT: '0' });
    const lines: string[] = [];
    service.onLog((entry) => {
      lines.push(JSON.stringify(entry));
      if (lines.length > KEPT_LINES) lines.shift();
    });
    this.spawned.push({ service, lines });
    return { service, address: await service.started() };
  }

  /** SIGKILL by default: a crash, with no drain and no goodbye. */
  kill(replica: Replica, signal: NodeJS.Signals = 'SIGKILL'): void {
    replica.service.kill(signal);
  }

  private ready(): { database: TestDatabase; pool: pg.Pool } {
    if (!this.opened) throw new Error('the fleet is used outside its tests (ServiceFleet.forSuite opens it before them)');
    return this.opened;
  }

  private async open(): Promise<void> {
    const database = await TestDatabase.create();
    this.opened = { database, pool: database.pool() };
  }

  /** Kills the replicas still running and waits for them to exit; `failed` prints what each logged. */
  private async close(failed: boolean): Promise<void> {
    const spawned = this.spawned.splice(0);
    for (const { service } of spawned) service.kill('SIGKILL');
    const exits = await Promise.all(spawned.map(({ service }) => service.exit()));
    if (failed) {
      spawned.forEach(({ service, lines }, i) => {
        const { code, signal, stderr } = exits[i]!;
        console.log(`      replica ${i} (pid ${service.pid}, exited ${code ?? signal}), its last ${lines.length} log lines:\n${[...lines, stderr.trim()].filter(Boolean).join('\n')}`);
      });
    }
    const opened = this.opened;
    this.opened = undefined;
    await opened?.pool.end();
    await opened?.database.drop();
  }
}
