import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Store, Transaction, TransactionOptions } from '../../../src/application/ports/store.js';
import { CreateJobs } from '../../../src/application/jobs/create-jobs.js';
import { Heartbeat } from '../../../src/application/worker/heartbeat.js';
import type { WorkDelivery } from '../../../src/application/worker/work-session.js';
import { WorkSessions } from '../../../src/application/worker/work-sessions.js';
import { LocalWakeUps } from '../../../src/adapters/memory/local-wake-ups.js';
import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { jobDefinition } from '../../../src/domain/job/job-definition.js';
import { FakeClock } from '../../support/fake-clock.js';
import { Latch } from '../../support/latch.js';
import { RecordingLogger } from '../../support/recording-logger.js';

/**
 * A store whose next transactions, once their work is done, wait to be released: a commit still
 * in flight while other transactions begin, commit and end around it.
 */
class HeldStore implements Store {
  private readonly holds: Latch[] = [];
  readonly reached: Latch[] = [];
  constructor(private readonly inner: Store) {}

  holdNext(count: number): void {
    for (let i = 0; i < count; i += 1) {
      this.holds.push(new Latch());
      this.reached.push(new Latch());
    }
  }

  release(index: number): void {
    this.holds[index]!.open();
  }

  private taken = 0;
  transaction<T>(work: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const index = this.taken < this.holds.length ? this.taken++ : undefined;
    return this.inner.transaction(work, options).then(async (result) => {
      if (index !== undefined) {
        this.reached[index]!.open();
        await this.holds[index]!.promise;
      }
      return result;
    });
  }
}

/**
 * Two ticks of the group commit may be in flight at once (work-sessions.ts). Work announced while
 * one tick holds a session's credits is found by a later tick, even when the tick the announcement
 * started had other work and ended first: no execution waits for the poll. The server's clock is
 * fake and never moves, so a missed execution stays missed.
 */
describe('work sessions: two ticks in flight', () => {
  const clock = new FakeClock('2026-01-05T09:00:00Z');
  const ids = { newId: randomUUID };
  const settings = { minLeaseMs: 5_000, maxLeaseMs: 3_600_000, defaultLeaseMs: 30_000, pollIntervalMs: 1_000 };
  let sessions: WorkSessions;

  afterEach(() => sessions.stop());

  it('hands over a job created while a tick held the credits, after another tick came and went', async () => {
    const store = new HeldStore(new MemoryStore());
    const wakeUps = new LocalWakeUps();
    sessions = new WorkSessions(store, clock, { ids, random: () => 0.5 }, wakeUps, new Heartbeat(store, clock), settings, new RecordingLogger());
    sessions.start();
    const received: WorkDelivery[] = [];
    const delivered = new Latch();
    const deliver = (delivery: WorkDelivery) => {
      received.push(delivery);
      if (delivery.executions.length > 0) delivered.open();
    };
    const waiting = sessions.open({ workerId: 'waiting', jobTypes: ['reports'], leaseDurationMs: 30_000, held: [] }, deliver);
    const other = sessions.open({ workerId: 'other', jobTypes: ['emails'], leaseDurationMs: 30_000, held: [] }, deliver);

    store.holdNext(2);
    // Tick 1 takes the waiting worker's credit and finds no reports; its commit is held.
    waiting.grant(1);
    await store.reached[0]!.promise;
    // Tick 2, beside it, takes the other worker's credit; its commit is held too.
    other.grant(1);
    await store.reached[1]!.promise;
    // A report is queued (no credit left to hand it off with) and announced.
    const definition = jobDefinition({ name: 'r', type: 'reports', schedule: { kind: 'once', at: undefined } }, { maxPayloadBytes: 65_536 });
    await new CreateJobs(store, clock, ids, wakeUps, undefined, sessions).execute([{ definition, idempotency: undefined }]);
    // Tick 2 ends first; its loop looks again (for emails, not reports: tick 1 holds that
    // credit), finds nothing and ends.
    store.release(1);
    await new Promise((resolve) => setImmediate(resolve));
    // Tick 1 ends with its credit unused, after the announcement: it must look again.
    store.release(0);
    const gaveUp = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the report was never handed to the waiting worker')), 2_000).unref());
    await Promise.race([delivered.promise, gaveUp]);
    expect(received.flatMap((d) => d.executions.map((a) => a.execution.jobType))).to.deep.equal(['reports']);
  });
});
