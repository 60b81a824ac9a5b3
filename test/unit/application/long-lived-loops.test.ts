import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import type { Clock } from '../../../src/application/ports/clock.js';
import { BackgroundLoop } from '../../../src/application/engine/background-loop.js';
import { WatchExecutions } from '../../../src/application/queries/watch-executions.js';
import { AcquireExecutions } from '../../../src/application/worker/acquire-executions.js';
import { LocalWakeUps } from '../../../src/adapters/memory/local-wake-ups.js';
import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { testLogger } from '../../support/test-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A clock whose sleeps end at once, after moving time on: a day of polling in a second. */
class InstantClock implements Clock {
  private current = Date.parse('2026-01-05T09:00:00Z');
  sleeps = 0;
  now = () => new Date(this.current);
  sleep = async (ms: number) => {
    this.sleeps += 1;
    this.current += Math.max(1, ms);
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/** Heap growth in bytes across `work`, garbage collected before and after. */
async function retained(work: () => Promise<void>): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  await work();
  gc();
  return process.memoryUsage().heapUsed - before;
}

const POLLS = 100_000;
/** A retained composite signal per poll (about 66 bytes on Node 20) would grow by over 6 MB. */
const BUDGET = 2 * 1024 * 1024;

/**
 * Loops that live as long as a stream, a long poll or the replica must keep their memory flat
 * however many times they sleep. Combining the owner's signal with a fresh wake-up signal for
 * every sleep (AbortSignal.any) retained something per sleep for the owner's lifetime.
 */
describe('long-lived loops keep their memory flat', function () {
  this.timeout(120_000);

  it(`WatchExecutions: ${POLLS.toLocaleString('en')} idle polls of one stream`, async () => {
    const clock = new InstantClock();
    const watch = new WatchExecutions(new MemoryStore(), clock, new LocalWakeUps(), { pollIntervalMs: 500, batchSize: 100 });
    const stream = new AbortController();
    const grown = await retained(async () => {
      const running = watch.run({ filter: {}, cursor: undefined, signal: stream.signal }, async () => undefined);
      while (clock.sleeps < POLLS) await new Promise((resolve) => setTimeout(resolve, 20));
      stream.abort();
      await running;
    });
    expect(grown, `heap grew by ${grown} bytes`).to.be.below(BUDGET);
  });

  it(`BackgroundLoop: ${POLLS.toLocaleString('en')} passes of one loop, woken every other time`, async () => {
    const clock = new InstantClock();
    let passes = 0;
    const loop: BackgroundLoop = new BackgroundLoop('test', clock, 1_000, async () => {
      passes += 1;
      if (passes % 2 === 0) loop.wake();
      return undefined;
    }, testLogger);
    const grown = await retained(async () => {
      loop.start();
      while (passes < POLLS) await new Promise((resolve) => setTimeout(resolve, 20));
      await loop.stop();
    });
    expect(grown, `heap grew by ${grown} bytes`).to.be.below(BUDGET);
  });

  it(`AcquireExecutions: one long poll woken ${POLLS.toLocaleString('en')} times`, async () => {
    const clock = new InstantClock();
    const wakeUps = new LocalWakeUps();
    const acquire = new AcquireExecutions(new MemoryStore(), clock, { newId: () => '00000000-0000-4000-8000-000000000000' }, wakeUps, {
      defaultLeaseMs: 30_000,
      minLeaseMs: 5_000,
      maxLeaseMs: 3_600_000,
      maxAcquireWaitMs: Number.MAX_SAFE_INTEGER,
    });
    const call = new AbortController();
    const grown = await retained(async () => {
      const polling = acquire.execute({ workerId: 'w', jobTypes: ['t'], capacity: 1, waitMs: Number.MAX_SAFE_INTEGER, leaseDurationMs: undefined, signal: call.signal });
      while (clock.sleeps < POLLS) {
        wakeUps.executionsQueued(['t']);
        await new Promise((resolve) => setImmediate(resolve));
      }
      call.abort();
      await polling;
    });
    expect(grown, `heap grew by ${grown} bytes`).to.be.below(BUDGET);
  });
});
