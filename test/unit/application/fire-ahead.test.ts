import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { DispatchDueJobs } from '../../../src/application/engine/dispatch-due-jobs.js';
import { CreateJobs } from '../../../src/application/jobs/create-jobs.js';
import { LocalWakeUps } from '../../../src/adapters/memory/local-wake-ups.js';
import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { jobDefinition } from '../../../src/domain/job/job-definition.js';
import type { Schedule } from '../../../src/domain/schedule/schedule.js';
import { FakeClock } from '../../support/fake-clock.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const TYPE = 'ahead';
const LOOKAHEAD_MS = 1_000;

/**
 * The dispatcher fires an occurrence up to DISPATCH_LOOKAHEAD before its slot when at least a
 * batch of jobs is due within it: the execution is written then and waits in the queue, and
 * workers are woken at the slot itself.
 */
describe('dispatcher: firing ahead of the slot', () => {
  let clock: FakeClock;
  let store: MemoryStore;
  let wakeUps: LocalWakeUps;
  let woken: { at: number; types: readonly string[] }[];
  let dispatch: DispatchDueJobs;
  const ids = { newId: randomUUID };

  // A window is fired ahead when it holds a batch of jobs: a batch of one makes every window crowded.
  const dispatcher = (lookaheadMs: number, batch = 1) => new DispatchDueJobs(store, clock, ids, wakeUps, { dispatchBatchSize: batch, misfireGraceMs: 60_000, dispatchLookaheadMs: lookaheadMs }, new RecordingLogger());
  const inMs = (ms: number) => new Date(clock.now().getTime() + ms);
  const create = async (schedule: Schedule, extra: Record<string, unknown> = {}) => {
    const definition = jobDefinition({ name: 'n', type: TYPE, schedule, ...extra }, { maxPayloadBytes: 65_536 });
    const [job] = await new CreateJobs(store, clock, ids, wakeUps).execute([{ definition, idempotency: undefined }]);
    return job!;
  };
  const executions = () => store.transaction((tx) => tx.executions.list({}, undefined, 100)).then((page) => page.executions);
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    clock = new FakeClock('2026-01-05T09:00:00Z');
    store = new MemoryStore();
    wakeUps = new LocalWakeUps();
    woken = [];
    wakeUps.onExecutionsQueued((types) => woken.push({ at: clock.now().getTime(), types }));
    dispatch = dispatcher(LOOKAHEAD_MS);
  });
  afterEach(() => dispatch.stop());

  it('fires a job due within the lookahead as of its slot; the execution waits for the slot, and workers are woken then', async () => {
    const slot = inMs(600);
    const job = await create({ kind: 'once', at: slot });
    expect(await dispatch.runUntilIdle()).to.include({ jobs: 1, executions: 1 });
    const [execution] = await executions();
    expect(execution).to.include({ jobId: job.id, status: 'queued', attempt: 1, trigger: 'schedule' });
    expect(execution?.scheduledAt).to.deep.equal(slot);
    expect(execution?.occurrenceAt).to.deep.equal(slot);
    expect(execution?.queuedAt).to.deep.equal(clock.now());
    expect(woken, 'nobody is woken for work not due yet').to.deep.equal([]);

    clock.advance(599);
    await settle();
    expect(woken).to.deep.equal([]);
    clock.advance(1);
    await settle();
    expect(woken).to.deep.equal([{ at: slot.getTime(), types: [TYPE] }]);
  });

  it('leaves a job due after the lookahead, and fires only what is due without one', async () => {
    await create({ kind: 'once', at: inMs(LOOKAHEAD_MS + 1) });
    expect(await dispatch.runUntilIdle()).to.include({ jobs: 0 });
    const without = dispatcher(0);
    await create({ kind: 'once', at: inMs(1) });
    expect(await without.runUntilIdle()).to.include({ jobs: 0 });
    clock.advance(1);
    expect(await without.runUntilIdle()).to.include({ jobs: 1 });
    without.stop();
  });

  it('fires a window with fewer jobs than a batch slot by slot, and does not count it again', async () => {
    const sparse = dispatcher(LOOKAHEAD_MS, 3);
    const slot = inMs(400);
    await create({ kind: 'once', at: slot });
    await create({ kind: 'once', at: inMs(700) });
    expect(await sparse.runUntilIdle()).to.include({ jobs: 0 });
    expect(sparse.nextPassAt(await store.transaction((tx) => tx.jobs.nextDueAt()))).to.deep.equal(slot);
    clock.advance(400);
    expect(await sparse.runUntilIdle()).to.include({ jobs: 1, executions: 1 });
    // A third job makes the window that starts now crowded: the rest is fired ahead.
    await create({ kind: 'once', at: inMs(900) });
    await create({ kind: 'once', at: inMs(950) });
    sparse.recount();
    expect(await sparse.runUntilIdle()).to.include({ jobs: 3 });
    sparse.stop();
  });

  it('plans the next round a lookahead before the earliest job, or at its slot if the last round left it', async () => {
    const later = (ms: number) => new Date(clock.now().getTime() + ms);
    expect(dispatch.nextPassAt(later(5_000))).to.deep.equal(later(4_000));
    expect(dispatch.nextPassAt(undefined)).to.equal(undefined);
    expect(dispatcher(0).nextPassAt(later(5_000))).to.deep.equal(later(5_000));
    await dispatch.runUntilIdle();
    expect(dispatch.nextPassAt(later(LOOKAHEAD_MS)), 'within the window just fired').to.deep.equal(later(LOOKAHEAD_MS));
    expect(dispatch.nextPassAt(later(LOOKAHEAD_MS + 10)), 'beyond it: at once').to.deep.equal(later(10));
  });

  it('wakes workers once per slot, with every type fired for it', async () => {
    const slot = inMs(300);
    await create({ kind: 'once', at: slot });
    await create({ kind: 'once', at: slot }, { type: 'other' });
    await dispatch.runUntilIdle();
    clock.advance(300);
    await settle();
    expect(woken.map((w) => [...w.types].sort())).to.deep.equal([[TYPE, 'other'].sort()]);
  });

  it('holds back a job whose overlap policy may still skip the slot, and decides at the slot', async () => {
    const job = await create({ kind: 'interval', every: 1, unit: 'minutes', anchor: undefined }, { overlapPolicy: 'skip' });
    clock.advance(60_000);
    await dispatch.runUntilIdle();
    // The first occurrence is running when the next one comes within the lookahead.
    clock.advance(59_500);
    expect(await dispatch.runUntilIdle()).to.include({ jobs: 0 });
    clock.advance(500);
    expect(await dispatch.runUntilIdle()).to.include({ jobs: 1, executions: 0, skipped: 1 });
    expect((await store.transaction((tx) => tx.jobs.get(job.id)))?.activeOccurrences).to.equal(1);
  });

  it('forgets the wake-ups still waiting when stopped', async () => {
    await create({ kind: 'once', at: inMs(500) });
    await dispatch.runUntilIdle();
    dispatch.stop();
    clock.advance(500);
    await settle();
    expect(woken).to.deep.equal([]);
  });
});
