import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { eventually } from '../../support/eventually.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, everyMinutes, executionsOf, isoOf, jobOf, MINUTE, newClock, once, tick } from './engine-harness.js';

/**
 * The dispatcher fires an occurrence up to DISPATCH_LOOKAHEAD (1 s by default) before its slot
 * when a batch of jobs is due within it; its execution waits in the queue until the slot
 * (docs/engine.md, "Firing ahead of the slot"). A batch of one makes every window crowded here.
 */
const CROWDED = { DISPATCH_BATCH_SIZE: '1' };

describe('engine: firing ahead of the slot (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  const slot = new Date('2026-03-02T08:15:00Z');
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock, undefined, CROWDED);
  });
  afterEach(() => server.stop());

  it('fires the slot within the lookahead; the execution is claimed at the slot, not before', async () => {
    const job = await createJob(server, { schedule: everyMinutes(15, new Date('2026-03-02T00:00:00Z')) });
    await tick(server, clock, 15 * MINUTE - 500);
    const [queued] = await executionsOf(server, job.id);
    expect(queued?.status).to.equal(ExecutionStatus.QUEUED);
    expect(isoOf(queued?.scheduledAt)).to.equal(slot.toISOString());
    const fired = await jobOf(server, job.id);
    expect(fired.state).to.equal(JobState.RUNNING);
    expect(isoOf(fired.nextRunAt)).to.equal('2026-03-02T08:30:00.000Z');
    expect(await acquire(server)).to.deep.equal([]);
    await tick(server, clock, 500);
    const [acquired] = await acquire(server);
    expect(acquired?.execution?.id).to.equal(queued?.id);
  });

  it('lets a slot fired ahead run when the job is paused before it, and never fires that slot again', async () => {
    const job = await createJob(server, { schedule: everyMinutes(15, new Date('2026-03-02T00:00:00Z')) });
    await tick(server, clock, 15 * MINUTE - 500);
    await server.scheduler.pauseJob({ id: job.id });
    await tick(server, clock, 500);
    const [acquired] = await acquire(server);
    expect(isoOf(acquired?.execution?.occurrenceAt)).to.equal(slot.toISOString());
    await complete(server, acquired!);
    expect((await jobOf(server, job.id)).state).to.equal(JobState.PAUSED);
    const { job: resumed } = await server.scheduler.resumeJob({ id: job.id });
    expect(isoOf(resumed?.nextRunAt)).to.equal('2026-03-02T08:30:00.000Z');
    await tick(server, clock, 15 * MINUTE);
    expect((await executionsOf(server, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal([slot.toISOString(), '2026-03-02T08:30:00.000Z']);
  });

  it('applies a new schedule given before a slot fired ahead from the slot after it', async () => {
    const job = await createJob(server, { schedule: everyMinutes(15, new Date('2026-03-02T00:00:00Z')) });
    await tick(server, clock, 15 * MINUTE - 500);
    const { job: updated } = await server.scheduler.updateJob({ job: { id: job.id, schedule: everyMinutes(5, new Date('2026-03-02T00:00:00Z')) }, updateMask: { paths: ['schedule'] } });
    expect(isoOf(updated?.nextRunAt)).to.equal('2026-03-02T08:20:00.000Z');
    await tick(server, clock, 500);
    const [acquired] = await acquire(server);
    await complete(server, acquired!);
    await tick(server, clock, 5 * MINUTE);
    expect((await executionsOf(server, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal([slot.toISOString(), '2026-03-02T08:20:00.000Z']);
  });

  it('fires a window with fewer jobs than a batch at the slot, as without a lookahead', async () => {
    const sparse = await engineServer(clock);
    try {
      const job = await createJob(sparse, { schedule: everyMinutes(15, new Date('2026-03-02T00:00:00Z')) });
      await tick(sparse, clock, 15 * MINUTE - 500);
      expect(await executionsOf(sparse, job.id)).to.deep.equal([]);
      await tick(sparse, clock, 500);
      expect((await executionsOf(sparse, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal([slot.toISOString()]);
    } finally {
      await sparse.stop();
    }
  });

  it('fires ahead through the background loops, and a waiting worker gets the execution at its slot', async () => {
    const looping = await engineServer(clock, undefined, { ...CROWDED, SCHEDULER_ENABLED: 'true' });
    try {
      const job = await createJob(looping, { schedule: once(new Date(clock.now().getTime() + 10_000)) });
      clock.advance(9_000);
      await eventually(async () => expect(await executionsOf(looping, job.id)).to.have.length(1));
      const waiting = looping.worker.acquireExecutions({ workerId: 'waiting', jobTypes: [job.type], capacity: 1, wait: { seconds: 30n, nanos: 0 } });
      clock.advance(1_000);
      const { executions } = await waiting;
      expect(executions.map((e) => e.execution?.jobId)).to.deep.equal([job.id]);
    } finally {
      await looping.stop();
    }
  });
});
