import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Store, Transaction, TransactionOptions } from '../../../src/application/ports/store.js';
import { CreateJobs } from '../../../src/application/jobs/create-jobs.js';
import { DispatchDueJobs } from '../../../src/application/engine/dispatch-due-jobs.js';
import { AcquireExecutions } from '../../../src/application/worker/acquire-executions.js';
import { Heartbeat } from '../../../src/application/worker/heartbeat.js';
import { ReportOutcomes } from '../../../src/application/worker/report-outcomes.js';
import { LocalWakeUps } from '../../../src/adapters/memory/local-wake-ups.js';
import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { jobDefinition } from '../../../src/domain/job/job-definition.js';
import { FakeClock } from '../../support/fake-clock.js';
import { RecordingLogger } from '../../support/recording-logger.js';

/** A store that remembers which use case asked for which durability. */
class RecordingStore implements Store {
  readonly durable: boolean[] = [];
  readonly options: (TransactionOptions | undefined)[] = [];
  constructor(private readonly inner: Store) {}
  transaction<T>(work: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    this.durable.push(options?.durable ?? true);
    this.options.push(options);
    return this.inner.transaction(work, options);
  }
  take(): boolean[] {
    return this.durable.splice(0);
  }
}

/**
 * Which transactions may skip waiting for the disk (TransactionOptions.durable = false): only
 * those whose loss in a database crash is redone anyway: firing, acquiring, heartbeats. What a
 * caller is told was recorded (a created job, an outcome) is committed durably.
 */
describe('transaction durability per use case', () => {
  const clock = new FakeClock('2026-01-05T09:00:00Z');
  const ids = { newId: randomUUID };
  const wakeUps = new LocalWakeUps();
  const store = new RecordingStore(new MemoryStore());
  const settings = { dispatchBatchSize: 100, misfireGraceMs: 60_000, defaultLeaseMs: 30_000, minLeaseMs: 5_000, maxLeaseMs: 3_600_000, maxAcquireWaitMs: 60_000 };

  it('creating jobs and reporting outcomes are durable; firing, acquiring and heartbeats are not waited for', async () => {
    const definition = jobDefinition({ name: 'n', type: 'durability', schedule: { kind: 'once', at: undefined } }, { maxPayloadBytes: 65_536 });
    await new CreateJobs(store, clock, ids, wakeUps).execute([{ definition, idempotency: undefined }]);
    expect(store.take(), 'CreateJobs').to.deep.equal([true]);

    await new DispatchDueJobs(store, clock, ids, wakeUps, settings, new RecordingLogger()).runOnce();
    expect(store.take()[0], 'DispatchDueJobs').to.equal(false);

    const [acquired] = await new AcquireExecutions(store, clock, ids, wakeUps, settings).execute({
      workerId: 'w',
      jobTypes: ['durability'],
      capacity: 1,
      waitMs: 0,
      leaseDurationMs: undefined,
      signal: new AbortController().signal,
    });
    expect(store.take()[0], 'AcquireExecutions').to.equal(false);
    const lease = { executionId: acquired!.execution.id, leaseToken: acquired!.execution.leaseToken! };

    await new Heartbeat(store, clock).execute([{ ...lease, progress: undefined }]);
    expect(store.take(), 'Heartbeat').to.deep.equal([false]);

    const [result] = await new ReportOutcomes(store, clock, { ids, random: () => 0.5 }, wakeUps).execute([{ ...lease, outcome: { kind: 'succeeded', result: undefined } }]);
    expect(result?.accepted).to.equal(true);
    expect(store.take(), 'ReportOutcomes').to.deep.equal([true]);
  });

  it('creates jobs without request ids in one statement, and with them or with a one-shot due now in a transaction block', async () => {
    const later = jobDefinition({ name: 'n', type: 'durability', schedule: { kind: 'once', at: new Date(clock.now().getTime() + 60_000) } }, { maxPayloadBytes: 65_536 });
    const now = jobDefinition({ name: 'n', type: 'durability', schedule: { kind: 'once', at: undefined } }, { maxPayloadBytes: 65_536 });
    const create = new CreateJobs(store, clock, ids, wakeUps);
    store.options.splice(0);
    await create.execute([{ definition: later, idempotency: undefined }, { definition: later, idempotency: undefined }]);
    await create.execute([{ definition: later, idempotency: { requestId: 'r-1', fingerprint: 'f' } }]);
    // Due now: the job, its first execution and its event are written together.
    await create.execute([{ definition: now, idempotency: undefined }]);
    expect(store.options.map((options) => options?.singleStatement ?? false)).to.deep.equal([true, false, false]);
  });
});
