import { pick, uniform } from './chaos-traffic.js';
import { WorkerSlot, type Replica } from './processes.js';

/** The chaos actions: a replica killed or stopped; a worker killed, stopped or frozen past its leases. */
const KINDS = [
  { target: 'replica', action: 'SIGKILL' },
  { target: 'replica', action: 'SIGTERM' },
  { target: 'worker', action: 'SIGKILL' },
  { target: 'worker', action: 'SIGTERM' },
  { target: 'worker', action: 'SIGSTOP' },
] as const;

const shuffle = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

/** What the chaos loop acts on and records into. */
export interface ChaosTargets {
  replicas: readonly Replica[];
  workers: readonly WorkerSlot[];
  /** Pause between two actions, uniform in [min, max]. */
  every: readonly [number, number];
  leaseMs: number;
  /** Actions taken, by "<signal> <target>". */
  actions: Record<string, number>;
  say: (line: string) => void;
  /** Aborted when load and chaos stop. */
  signal: AbortSignal;
  pauseFor: (ms: number) => Promise<void>;
  violation: (message: string) => void;
}

/** Until the signal aborts: every few seconds one replica or worker killed, stopped or frozen, then restarted. */
export async function chaos(run: ChaosTargets): Promise<void> {
  const { replicas, workers, actions, say, violation } = run;
  const deck: (typeof KINDS)[number][] = [];
  while (!run.signal.aborted) {
    await run.pauseFor(uniform(...run.every));
    if (run.signal.aborted) return;
    // Every kind of action comes up once in each round of five, in random order, on a random target.
    if (deck.length === 0) deck.push(...shuffle(KINDS));
    const kind = deck.pop()!;
    const victim = kind.target === 'replica' ? pick(replicas) : pick(workers);
    const action = kind.action;
    actions[`${action} ${kind.target}`] = (actions[`${action} ${kind.target}`] ?? 0) + 1;
    say(`chaos: ${action} ${victim.name} (pid ${victim.pid})`);
    if (action === 'SIGSTOP') {
      if (!(victim instanceof WorkerSlot)) continue;
      await victim.freeze(run.leaseMs + 1_500);
      continue;
    }
    const at = Date.now();
    if (victim instanceof WorkerSlot && victim.life) {
      if (action === 'SIGKILL') victim.life.killedAt = at;
      else victim.life.stoppedAt = at;
    }
    const exit = await victim.signal(action, action === 'SIGTERM' ? 20_000 : 10_000);
    if (!exit) {
      violation(`${victim.name} did not exit within 20 s of ${action}`);
      await victim.signal('SIGKILL', 10_000);
    } else if (action === 'SIGTERM' && exit.code !== 0) {
      violation(`${victim.name} exited with ${exit.code ?? exit.signal} after SIGTERM (expected 0)`);
    }
    await run.pauseFor(uniform(200, 1_000));
    await victim.start();
  }
}
