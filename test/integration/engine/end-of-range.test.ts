import { toJson } from '@bufbuild/protobuf';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { ExecutionSchema, ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobSchema, JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { rejects, status } from '../../contract/support/helpers.js';
import { acquire, complete, createJob, cron, engineServer, everyMinutes, executionsOf, fail, isoOf, jobOf, MINUTE, once, tick, TYPE } from './engine-harness.js';

/**
 * The end of the supported instants (9999-12-30T23:59:59.999Z, domain/instants.ts), driven by a
 * fake clock: schedules end there instead of producing a year-10000 next_run_at that neither
 * PostgreSQL (as written) nor a Timestamp can hold, and nothing answers INTERNAL.
 */
describe('engine: the end of the supported range (fake clock in 9999)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = new FakeClock('9999-12-30T21:10:00Z');
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  it('interval and cron jobs fire their last occurrences, then complete', async () => {
    const interval = await createJob(server, { schedule: everyMinutes(60) });
    const hourly = await createJob(server, { schedule: cron('0 * * * *') });
    expect([isoOf(interval.nextRunAt), isoOf(hourly.nextRunAt)]).to.deep.equal(['9999-12-30T22:10:00.000Z', '9999-12-30T22:00:00.000Z']);
    for (const step of [50, 10, 50, 10, 50, 10]) {
      await tick(server, clock, step * MINUTE);
      for (const acquired of await acquire(server)) await complete(server, acquired);
    }
    // Each completes when its last occurrence does (the worker finishes it at once).
    for (const [job, last] of [[interval, '9999-12-30T23:10:00.000Z'], [hourly, '9999-12-30T23:00:00.000Z']] as const) {
      const stored = await jobOf(server, job.id);
      expect(stored.state, 'state').to.equal(JobState.COMPLETED);
      expect(stored.nextRunAt, 'next_run_at').to.equal(undefined);
      expect(isoOf(stored.finishedAt), 'finished_at').to.equal(last);
      expect(() => toJson(JobSchema, stored)).not.to.throw();
      const fired = await executionsOf(server, job.id);
      expect(fired.map((execution) => execution.status)).to.deep.equal([ExecutionStatus.SUCCEEDED, ExecutionStatus.SUCCEEDED]);
      expect((await server.scheduler.getJobStats({ jobId: job.id })).stats?.nextRunAt).to.equal(undefined);
    }
    expect(fired(await executionsOf(server, interval.id))).to.deep.equal(['9999-12-30T22:10:00.000Z', '9999-12-30T23:10:00.000Z']);
    expect(fired(await executionsOf(server, hourly.id))).to.deep.equal(['9999-12-30T22:00:00.000Z', '9999-12-30T23:00:00.000Z']);
  });

  it('a job whose last occurrences were missed completes when the dispatcher drops them', async () => {
    const job = await createJob(server, { schedule: everyMinutes(60) });
    await tick(server, clock, 4 * 60 * MINUTE); // 9999-12-31T01:10Z: 22:10 and 23:10 are long missed
    const stored = await jobOf(server, job.id);
    expect([stored.state, stored.nextRunAt, isoOf(stored.finishedAt)]).to.deep.equal([JobState.COMPLETED, undefined, '9999-12-31T01:10:00.000Z']);
    expect(await executionsOf(server, job.id)).to.deep.equal([]);
  });

  it('refuses a recurring schedule with no fire time left, naming the field, at creation and on update', async () => {
    clock.set('9999-12-30T23:30:00Z');
    const message = /^job\.schedule has no fire time after 9999-12-30T23:30:00\.000Z: every schedule ends at 9999-12-30T23:59:59\.999Z/;
    await rejects(createJob(server, { schedule: cron('0 * * * *') }), status.INVALID_ARGUMENT, message);
    await rejects(
      server.scheduler.batchCreateJobs({ requests: [{ job: { name: 'a', type: TYPE, schedule: once() } }, { job: { name: 'b', type: TYPE, schedule: everyMinutes(60) } }] }),
      status.INVALID_ARGUMENT,
      /^requests\[1\]\.job\.schedule has no fire time after /,
    );
    const waiting = await createJob(server, { schedule: once(new Date('9999-12-30T23:59:00Z')) });
    await rejects(server.scheduler.updateJob({ job: { id: waiting.id, schedule: everyMinutes(60) }, updateMask: { paths: ['schedule'] } }), status.INVALID_ARGUMENT, message);
    expect((await jobOf(server, waiting.id)).version).to.equal(waiting.version);
  });

  it('a retry whose backoff ends in the year 10000 is stored, and read back at the end of the Timestamp range', async () => {
    clock.set('9999-12-31T12:00:00Z');
    const job = await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 1, initialBackoff: durationFromMs(86_400_000), maxBackoff: durationFromMs(86_400_000) } });
    await tick(server, clock, 0);
    const [acquired] = await acquire(server);
    await fail(server, acquired!);
    const executions = await executionsOf(server, job.id);
    expect(executions.map((execution) => execution.status)).to.deep.equal([ExecutionStatus.FAILED, ExecutionStatus.QUEUED]);
    const retry = executions[1]!;
    expect(isoOf(retry.scheduledAt)).to.equal('9999-12-31T23:59:59.999Z');
    expect(toJson(ExecutionSchema, retry)).to.include({ scheduledAt: '9999-12-31T23:59:59.999Z' });
  });
});

function fired(executions: readonly { occurrenceAt?: { seconds: bigint; nanos: number } }[]): (string | undefined)[] {
  return executions.map((execution) => isoOf(execution.occurrenceAt));
}
