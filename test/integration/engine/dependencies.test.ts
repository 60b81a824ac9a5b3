import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ExecutionStatus, ExecutionTrigger, type Execution } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { DependencyCondition, JobState, type Job } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { AcquiredExecution } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, executionsOf, fail, jobOf, MINUTE, newClock, once } from './engine-harness.js';

const afterUpstream = { kind: { case: 'afterUpstream', value: {} } };
const on = (job: Job, condition = DependencyCondition.SUCCESS) => ({ jobId: job.id, condition });

describe('engine: job dependencies', function () {
  this.timeout(60_000);
  let clock: FakeClock;
  let server: TestServer;

  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(async () => server.stop());

  /** Takes every queued execution and reports each with `report`; returns them by job id. */
  async function runAll(report: (a: AcquiredExecution) => Promise<unknown> = (a) => complete(server, a)): Promise<Map<string, AcquiredExecution>> {
    const acquired = await acquire(server, 100);
    for (const a of acquired) await report(a);
    return new Map(acquired.map((a) => [a.execution?.jobId ?? '', a]));
  }

  async function upstreamFired(job: Job): Promise<Execution[]> {
    return (await executionsOf(server, job.id)).filter((e) => e.trigger === ExecutionTrigger.UPSTREAM);
  }

  it('runs a chain A → B → C, each fire naming the upstream execution that caused it', async () => {
    const a = await createJob(server, { name: 'A', schedule: once() });
    const b = await createJob(server, { name: 'B', schedule: afterUpstream, dependsOn: [on(a)] });
    const c = await createJob(server, { name: 'C', schedule: afterUpstream, dependsOn: [on(b)] });
    expect(b.state).to.equal(JobState.SCHEDULED);
    expect(b.nextRunAt).to.equal(undefined);
    expect(b.dependsOn.map((d) => [d.jobId, d.condition])).to.deep.equal([[a.id, DependencyCondition.SUCCESS]]);

    const first = await runAll();
    expect([...first.keys()]).to.deep.equal([a.id]);
    const second = await runAll();
    expect([...second.keys()]).to.deep.equal([b.id]);
    const bRun = second.get(b.id)?.execution;
    expect(bRun?.trigger).to.equal(ExecutionTrigger.UPSTREAM);
    expect(bRun?.upstreamExecutionIds).to.deep.equal([first.get(a.id)?.execution?.id]);
    const third = await runAll();
    expect([...third.keys()]).to.deep.equal([c.id]);
    expect(third.get(c.id)?.execution?.upstreamExecutionIds).to.deep.equal([bRun?.id]);
    expect(await acquire(server)).to.have.length(0);
    // A job that waits for upstream jobs goes back to waiting, never completes.
    expect((await jobOf(server, c.id)).state).to.equal(JobState.SCHEDULED);
  });

  it('fans out to every downstream job and fans in once all upstream jobs completed since the last fire', async () => {
    const a = await createJob(server, { name: 'A', schedule: once() });
    const b = await createJob(server, { name: 'B', schedule: afterUpstream, dependsOn: [on(a)] });
    const c = await createJob(server, { name: 'C', schedule: afterUpstream, dependsOn: [on(a)] });
    const d = await createJob(server, { name: 'D', schedule: afterUpstream, dependsOn: [on(b), on(c)] });
    await runAll(); // A
    const bc = await runAll(); // B and C, fanned out
    expect(new Set(bc.keys())).to.deep.equal(new Set([b.id, c.id]));
    const fanIn = await runAll();
    expect([...fanIn.keys()]).to.deep.equal([d.id]);
    expect(fanIn.get(d.id)?.execution?.upstreamExecutionIds).to.deep.equal([bc.get(b.id)?.execution?.id, bc.get(c.id)?.execution?.id]);

    // B alone again: D waits for a newer C too.
    await server.scheduler.runJob({ id: b.id });
    const bAgain = await runAll();
    expect([...bAgain.keys()]).to.deep.equal([b.id]);
    expect(await acquire(server)).to.have.length(0);
    await server.scheduler.runJob({ id: b.id }); // a newer B replaces the recorded one
    const bLatest = await runAll();
    await server.scheduler.runJob({ id: c.id });
    const cAgain = await runAll();
    const dAgain = await runAll();
    expect([...dAgain.keys()]).to.deep.equal([d.id]);
    expect(dAgain.get(d.id)?.execution?.upstreamExecutionIds).to.deep.equal([bLatest.get(b.id)?.execution?.id, cAgain.get(c.id)?.execution?.id]);
    expect(await upstreamFired(d)).to.have.length(2);
  });

  it('fires on the condition asked: failure only after the last retry, completion on either, never on a cancel', async () => {
    const a = await createJob(server, { name: 'A', schedule: once(), retryPolicy: { maxRetries: 1, initialBackoff: { seconds: 1n } } });
    const onFailure = await createJob(server, { name: 'on failure', schedule: afterUpstream, dependsOn: [on(a, DependencyCondition.FAILURE)] });
    const onSuccess = await createJob(server, { name: 'on success', schedule: afterUpstream, dependsOn: [on(a, DependencyCondition.SUCCESS)] });
    const onCompletion = await createJob(server, { name: 'on completion', schedule: afterUpstream, dependsOn: [on(a, DependencyCondition.COMPLETION)] });
    await runAll((x) => fail(server, x)); // attempt 1 fails, a retry is queued: the occurrence goes on
    expect(await upstreamFired(onFailure)).to.have.length(0);
    clock.advance(MINUTE);
    const last = await runAll((x) => fail(server, x)); // attempt 2, the last, fails
    const fired = await runAll();
    expect(new Set(fired.keys())).to.deep.equal(new Set([onFailure.id, onCompletion.id]));
    expect(fired.get(onFailure.id)?.execution?.upstreamExecutionIds).to.deep.equal([last.get(a.id)?.execution?.id]);
    expect(await upstreamFired(onSuccess)).to.have.length(0);

    const { execution } = await server.scheduler.runJob({ id: a.id });
    await server.scheduler.cancelExecution({ id: execution?.id ?? '' });
    expect(await acquire(server)).to.have.length(0);
  });

  it('records the fire in the transaction of the outcome: when the fire fails, the outcome is not recorded either', async () => {
    const a = await createJob(server, { name: 'A', schedule: once() });
    const b = await createJob(server, { name: 'B', schedule: afterUpstream, dependsOn: [on(a)] });
    const pool = server.database.pool();
    try {
      await pool.query(`CREATE FUNCTION refuse_upstream_fire() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;
        CREATE TRIGGER refuse_upstream_fire BEFORE INSERT ON executions FOR EACH ROW WHEN (NEW.trigger = 'upstream') EXECUTE FUNCTION refuse_upstream_fire()`);
      const [running] = await acquire(server);
      const refused = await complete(server, running as AcquiredExecution).catch((e: ServiceError) => e);
      expect((refused as ServiceError).code).to.equal(status.INTERNAL);
      expect((await executionsOf(server, a.id)).map((e) => e.status)).to.deep.equal([ExecutionStatus.RUNNING]);
      expect(await executionsOf(server, b.id)).to.have.length(0);
      await pool.query('DROP TRIGGER refuse_upstream_fire ON executions');
      // The worker reports again (as the SDK does after an error): outcome and fire commit together.
      await complete(server, running as AcquiredExecution);
      const fired = await executionsOf(server, b.id);
      expect(fired.map((e) => e.upstreamExecutionIds)).to.deep.equal([[running?.execution?.id]]);
    } finally {
      await pool.end();
    }
  });

  it('refuses cycles, unknown or cancelled upstream jobs, and after_upstream without upstream jobs', async () => {
    const a = await createJob(server, { name: 'A', schedule: afterUpstream, dependsOn: [] }).catch((e: ServiceError) => e);
    expect((a as ServiceError).code).to.equal(status.INVALID_ARGUMENT);
    expect((a as ServiceError).details).to.equal('job.schedule.after_upstream needs job.depends_on to list at least one upstream job');

    const x = await createJob(server, { name: 'X', schedule: once(new Date('2027-01-01T00:00:00Z')) });
    const y = await createJob(server, { name: 'Y', schedule: afterUpstream, dependsOn: [on(x)] });
    const z = await createJob(server, { name: 'Z', schedule: afterUpstream, dependsOn: [on(y)] });
    const cycle = await server.scheduler.updateJob({ job: { id: x.id, dependsOn: [on(z)] }, updateMask: { paths: ['depends_on'] } }).catch((e: ServiceError) => e);
    expect((cycle as ServiceError).code).to.equal(status.INVALID_ARGUMENT);
    expect((cycle as ServiceError).details).to.equal(
      `job.depends_on would close a cycle: ${x.id} → ${z.id} → ${y.id} → ${x.id} (each job runs after the next); a job cannot depend on itself, directly or through other jobs`,
    );
    const self = await server.scheduler.updateJob({ job: { id: y.id, dependsOn: [on(y)] }, updateMask: { paths: ['depends_on'] } }).catch((e: ServiceError) => e);
    expect((self as ServiceError).details).to.match(new RegExp(`^job.depends_on would close a cycle: ${y.id} → ${y.id} `));
    expect((await jobOf(server, x.id)).dependsOn).to.deep.equal([]);

    const missing = '7e57d004-2b97-4e7a-b45f-5387367791cd';
    const unknown = await createJob(server, { schedule: afterUpstream, dependsOn: [{ jobId: missing }] }).catch((e: ServiceError) => e);
    expect((unknown as ServiceError).details).to.equal(`job.depends_on[0].job_id ${missing} names no job`);
    await server.scheduler.cancelJob({ id: x.id });
    const cancelled = await createJob(server, { schedule: afterUpstream, dependsOn: [on(z), on(x)] }).catch((e: ServiceError) => e);
    expect((cancelled as ServiceError).details).to.equal(`job.depends_on[1].job_id ${x.id} names a cancelled job, which never completes again`);
    const repeated = await createJob(server, { schedule: afterUpstream, dependsOn: [on(z), on(z)] }).catch((e: ServiceError) => e);
    expect((repeated as ServiceError).details).to.equal('job.depends_on[1].job_id repeats job.depends_on[0]: list each upstream job once');
  });

  it('takes a cancelled or deleted upstream job out of its downstream jobs, which then wait for the others', async () => {
    const a = await createJob(server, { name: 'A', schedule: once(new Date('2027-01-01T00:00:00Z')) });
    const b = await createJob(server, { name: 'B', schedule: once(new Date('2027-01-01T00:00:00Z')) });
    const c = await createJob(server, { name: 'C', schedule: once(new Date('2027-01-01T00:00:00Z')) });
    const d = await createJob(server, { name: 'D', schedule: afterUpstream, dependsOn: [on(a), on(b), on(c)] });
    await server.scheduler.cancelJob({ id: a.id });
    await server.scheduler.deleteJob({ id: b.id });
    expect((await jobOf(server, d.id)).dependsOn.map((dep) => dep.jobId)).to.deep.equal([c.id]);
    await server.scheduler.runJob({ id: c.id });
    const cRun = await runAll();
    const fired = await runAll();
    expect(fired.get(d.id)?.execution?.upstreamExecutionIds).to.deep.equal([cRun.get(c.id)?.execution?.id]);
  });

  it('keeps what a paused downstream job missed for ResumeJob: RUN_ONCE fires it once, SKIP drops it', async () => {
    const a = await createJob(server, { name: 'A', schedule: once(new Date('2027-01-01T00:00:00Z')) });
    const runOnce = await createJob(server, { name: 'run once', schedule: afterUpstream, dependsOn: [on(a)], catchUpPolicy: 2 });
    const skip = await createJob(server, { name: 'skip', schedule: afterUpstream, dependsOn: [on(a)] });
    await server.scheduler.pauseJob({ id: runOnce.id });
    await server.scheduler.pauseJob({ id: skip.id });
    for (let i = 0; i < 2; i += 1) {
      await server.scheduler.runJob({ id: a.id });
      await runAll();
    }
    expect(await acquire(server)).to.have.length(0);
    const aRuns = await executionsOf(server, a.id);
    await server.scheduler.resumeJob({ id: skip.id });
    const resumed = await server.scheduler.resumeJob({ id: runOnce.id });
    expect(resumed.job?.state).to.equal(JobState.RUNNING);
    const fired = await runAll();
    expect([...fired.keys()]).to.deep.equal([runOnce.id]);
    expect(fired.get(runOnce.id)?.execution?.upstreamExecutionIds).to.deep.equal([aRuns.at(-1)?.id]);
    // SKIP dropped the outcome it missed: the next one fires it.
    await server.scheduler.runJob({ id: a.id });
    await runAll();
    expect([...(await runAll()).keys()].sort()).to.deep.equal([runOnce.id, skip.id].sort());
  });
});
