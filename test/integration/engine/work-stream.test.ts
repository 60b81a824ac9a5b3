import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { WorkStartSchema } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { WorkSession } from '../../support/work-session.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { eventually } from '../../support/eventually.js';
import { createJob, engineServer, everyMinutes, executionsOf, jobOf, newClock, once, TYPE } from './engine-harness.js';

describe('engine: Work streams (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  const open = (start: Record<string, unknown> = {}, credits = 0) => WorkSession.open(server.worker, { start: { workerId: 'stream-worker', jobTypes: [TYPE], ...start }, credits });

  it('sends queued executions up to the credits granted, records outcomes and answers each', async () => {
    const jobs = [];
    for (let i = 0; i < 3; i += 1) jobs.push(await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 0 } }));
    const session = await open({}, 2);
    await eventually(() => expect(session.executions).to.have.length(2));
    const [a, b] = session.executions;
    expect(a?.execution?.status).to.equal(ExecutionStatus.RUNNING);
    expect(a?.execution?.workerId).to.equal('stream-worker');
    await session.stream.send({
      outcomes: [
        { executionId: a!.execution!.id, leaseToken: a!.leaseToken, outcome: { case: 'success', value: { result: { ok: true } } } },
        { executionId: b!.execution!.id, leaseToken: b!.leaseToken, outcome: { case: 'failure', value: { errorMessage: 'nope' } } },
      ],
      credits: 5,
    });
    await eventually(() => expect(session.results.map((r) => [r.executionId, r.accepted])).to.deep.equal([[a!.execution!.id, true], [b!.execution!.id, true]]));
    await eventually(() => expect(session.executions).to.have.length(3));
    const states = await Promise.all(jobs.map(async (job) => (await jobOf(server, job.id)).state));
    expect(states.filter((s) => s === JobState.COMPLETED)).to.have.length(1);
    expect(states.filter((s) => s === JobState.FAILED)).to.have.length(1);
    session.stream.end();
    expect(await session.ended).to.equal(undefined);
  });

  it('hands a one-shot created, or an occurrence fired, to a waiting session in the same transaction', async () => {
    const session = await open({}, 2);
    // Wait until the session asked for work and found none: its credits are free.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await createJob(server, { schedule: once() });
    const recurring = await createJob(server, { schedule: everyMinutes(1) });
    clock.set(new Date(recurring.nextRunAt ? Number(recurring.nextRunAt.seconds) * 1000 : 0));
    await server.useCases.dispatch.runUntilIdle();
    await eventually(() => expect(session.executions.map((e) => e.execution?.jobId).sort()).to.deep.equal([created.id, recurring.id].sort()));
    for (const { execution } of session.executions) {
      // Queued and started at the same instant, by the transaction that created it: no acquisition.
      expect(execution?.startedAt).to.deep.equal(execution?.queuedAt);
    }
    const events = await server.database.pool(1);
    try {
      const { rows } = await events.query<{ kinds: string[]; xids: number }>(
        `SELECT array_agg(kind ORDER BY xid, id, position) AS kinds, count(DISTINCT xid)::int AS xids FROM execution_events WHERE execution_id = $1`,
        [session.executions.find((e) => e.execution?.jobId === created.id)!.execution!.id],
      );
      expect(rows[0]).to.deep.equal({ kinds: ['queued', 'started'], xids: 1 });
    } finally {
      await events.end();
    }
    await session.close();
  });

  it('puts a released execution back in the queue as it was: the same attempt, no retry used', async () => {
    const job = await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 0 } });
    const session = await open({}, 1);
    await eventually(() => expect(session.executions).to.have.length(1));
    const [held] = session.executions;
    await session.stream.send({ outcomes: [{ executionId: held!.execution!.id, leaseToken: held!.leaseToken, outcome: { case: 'release', value: {} } }] });
    await eventually(() => expect(session.results.map((r) => r.accepted)).to.deep.equal([true]));
    const [execution] = await executionsOf(server, job.id);
    expect(execution).to.include({ id: held!.execution!.id, status: ExecutionStatus.QUEUED, attempt: 1, workerId: '' });
    // It is handed out again (to whoever has a slot: this session, once it grants one).
    await session.stream.send({ credits: 1 });
    await eventually(() => expect(session.executions.map((e) => e.execution?.id)).to.deep.equal([held!.execution!.id, held!.execution!.id]));
    expect(session.executions[1]?.leaseToken).not.to.equal(held!.leaseToken);
    session.stream.end();
    await session.ended;
  });

  it('names a cancelled execution as lost at once, and refuses its outcome', async () => {
    await createJob(server, { schedule: once() });
    const session = await open({}, 1);
    await eventually(() => expect(session.executions).to.have.length(1));
    const [held] = session.executions;
    await server.scheduler.cancelExecution({ id: held!.execution!.id, reason: 'enough' });
    await eventually(() => expect(session.lost.map((l) => [l.executionId, l.held, l.cancelRequested])).to.deep.equal([[held!.execution!.id, false, true]]));
    await session.stream.send({ outcomes: [{ executionId: held!.execution!.id, leaseToken: held!.leaseToken, outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(session.results.map((r) => [r.accepted, r.code])).to.deep.equal([[false, status.FAILED_PRECONDITION]]));
    session.stream.end();
    await session.ended;
  });

  it('extends the leases it holds while the stream is open, and a new session adopts them after a break', async () => {
    await createJob(server, { schedule: once() });
    const first = await open({ leaseDuration: durationFromMs(6_000) }, 1);
    await eventually(() => expect(first.executions).to.have.length(1));
    const [held] = first.executions;
    const expiry = async () => new Date(Number((await server.scheduler.getExecution({ id: held!.execution!.id })).execution?.leaseExpiresAt?.seconds) * 1000).getTime();
    const before = await expiry();
    // Time moves a second per look, so the extension loop's sleep (a third of the lease) ends
    // whenever it began.
    const extended = async (than: number) =>
      eventually(async () => {
        clock.advance(1_000);
        expect(await expiry()).to.be.greaterThan(than);
      });
    await extended(before);
    first.stream.cancel();
    await first.ended;
    const second = await open({ leaseDuration: durationFromMs(6_000), held: [{ executionId: held!.execution!.id, leaseToken: held!.leaseToken }] });
    await extended(await expiry());
    await second.stream.send({ outcomes: [{ executionId: held!.execution!.id, leaseToken: held!.leaseToken, outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(second.results.map((r) => r.accepted)).to.deep.equal([true]));
    second.stream.end();
    await second.ended;
  });

  it('answers an invalid outcome in results and goes on; ends the stream on an invalid start or too many credits', async () => {
    const session = await open({}, 1);
    await session.stream.send({ outcomes: [{ executionId: 'not-a-uuid', leaseToken: '00000000-0000-4000-8000-000000000000', outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(session.results.map((r) => [r.accepted, r.code])).to.deep.equal([[false, status.INVALID_ARGUMENT]]));
    expect(session.results[0]?.message).to.match(/^outcomes\[0\]\.execution_id "not-a-uuid" is not a valid id/);
    await session.stream.send({ credits: 1_000 });
    const error = await session.ended;
    expect(error?.code).to.equal(status.INVALID_ARGUMENT);
    expect(error?.details).to.match(/at most 1000 may be outstanding/);

    const starts: [MessageInitShape<typeof WorkStartSchema> | undefined, RegExp][] = [
      [undefined, /first message of a Work stream must set start/],
      [{ workerId: '', jobTypes: [TYPE] }, /^start\.worker_id is required/],
      [{ workerId: 'w', jobTypes: [] }, /^start\.job_types must list 1 to 100 types/],
      [{ workerId: 'w', jobTypes: ['not valid'] }, /^start\.job_types\[0\] "not valid" is not a valid job type/],
      [{ workerId: 'w', jobTypes: [TYPE], leaseDuration: durationFromMs(1_000) }, /^start\.lease_duration must be from 5s/],
    ];
    for (const [start, message] of starts) {
      const bad = new WorkSession(server.worker.work());
      await bad.stream.send(start ? { start } : { credits: 1 });
      const refused = await bad.ended;
      expect(refused?.code, String(message)).to.equal(status.INVALID_ARGUMENT);
      expect(refused?.details).to.match(message);
    }
  });
});
