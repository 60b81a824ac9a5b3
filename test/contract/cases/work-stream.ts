import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { fails, ok, type ContractCase } from '../support/contract.js';
import { createJob, NOW, status, statusName, uniqueType, unknownId, UUID, WORKER } from '../support/helpers.js';
import type { Target } from '../support/target.js';
import { eventually } from '../../support/eventually.js';
import { WorkSession } from '../../support/work-session.js';


/** A Work session of a new job type, granted one credit, once it holds the one execution queued for it. */
async function sessionHoldingOne(t: Target) {
  const type = uniqueType();
  await createJob(t, { type, schedule: NOW });
  const session = await WorkSession.open(t.worker, { start: { workerId: WORKER, jobTypes: [type] }, credits: 1 });
  await eventually(() => expect(session.executions).to.have.length(1));
  const [held] = session.executions;
  return { type, session, held };
}

/** WorkerService/Work, the stream the SDK uses; the unary worker RPCs are in worker.ts. */
export const workStreamCases: readonly ContractCase[] = [
  ok('a session gets queued executions within its credits, has outcomes answered, gives back what it did not start', async (t) => {
    const type = uniqueType();
    const jobs = [];
    for (let i = 0; i < 3; i += 1) jobs.push(await createJob(t, { type, schedule: NOW, retryPolicy: { maxRetries: 0 } }));
    const session = await WorkSession.open(t.worker, { start: { workerId: WORKER, jobTypes: [type], leaseDuration: durationFromMs(10_000) }, credits: 2 });
    await eventually(() => expect(session.executions).to.have.length(2));
    const [a, b] = session.executions;
    expect(a?.execution).to.include({ workerId: WORKER, jobType: type, attempt: 1 });
    expect(statusName(a?.execution?.status)).to.equal('RUNNING');
    expect(a?.leaseToken).to.match(UUID);
    await session.send({
      outcomes: [
        { executionId: a!.execution!.id, leaseToken: a!.leaseToken, outcome: { case: 'success', value: { result: { n: 1 } } } },
        { executionId: b!.execution!.id, leaseToken: b!.leaseToken, outcome: { case: 'release', value: {} } },
      ],
    });
    await eventually(() => expect(session.results.map((r) => [r.executionId, r.accepted])).to.deep.equal([[a!.execution!.id, true], [b!.execution!.id, true]]));
    expect(statusName((await t.scheduler.getExecution({ id: a!.execution!.id })).execution?.status)).to.equal('SUCCEEDED');
    expect((await t.scheduler.getExecution({ id: b!.execution!.id })).execution).to.include({ status: ExecutionStatus.QUEUED, attempt: 1, workerId: '' });
    expect(session.executions, 'never more than the credits granted').to.have.length(2);
    expect(await session.close()).to.equal(undefined);
  }),
  ok('a cancel reaches the session as a lost lease with cancel_requested, and the outcome is then refused', async (t) => {
    const { session, held } = await sessionHoldingOne(t);
    await t.scheduler.cancelExecution({ id: held!.execution!.id });
    await eventually(() => expect(session.lost.map((l) => [l.executionId, l.held, l.cancelRequested])).to.deep.equal([[held!.execution!.id, false, true]]));
    await session.send({ outcomes: [{ executionId: held!.execution!.id, leaseToken: held!.leaseToken, outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(session.results.map((r) => [r.accepted, r.code])).to.deep.equal([[false, status.FAILED_PRECONDITION]]));
    await session.close();
  }),
  ok('an outcome sent again on a new session after its answer was lost is answered as recorded', async (t) => {
    const { type, session: first, held } = await sessionHoldingOne(t);
    const outcome = { executionId: held!.execution!.id, leaseToken: held!.leaseToken, outcome: { case: 'success' as const, value: { result: { n: 1 } } } };
    await first.send({ outcomes: [outcome] });
    await eventually(() => expect(first.results.map((r) => r.accepted)).to.deep.equal([true]));
    await first.close();
    // As the SDK does after a reconnect: whatever was not answered goes out again.
    const second = await WorkSession.open(t.worker, { start: { workerId: WORKER, jobTypes: [type] } });
    await second.send({ outcomes: [outcome] });
    await eventually(() => expect(second.results.map((r) => [r.executionId, r.accepted])).to.deep.equal([[held!.execution!.id, true]]));
    expect((await t.scheduler.getExecution({ id: held!.execution!.id })).execution?.result).to.deep.equal({ n: 1 });
    await second.close();
  }),
  fails('INVALID_ARGUMENT', 'an invalid outcome is answered in results and the session goes on; a first message without start ends the stream', async (t) => {
    const session = await WorkSession.open(t.worker, { start: { workerId: WORKER, jobTypes: [uniqueType()] } });
    await session.send({ outcomes: [{ executionId: 'x', leaseToken: unknownId(), outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(session.results.map((r) => [r.accepted, r.code])).to.deep.equal([[false, status.INVALID_ARGUMENT]]));
    expect(session.results[0]?.message).to.match(/^outcomes\[0\]\.execution_id "x" is not a valid id/);
    expect(await session.close()).to.equal(undefined);
    const headless = await WorkSession.open(t.worker, { credits: 1 });
    const error = await headless.ended;
    expect(error?.code).to.equal(status.INVALID_ARGUMENT);
    expect(error?.details).to.match(/^the first message of a Work stream must set start/);
  }),
];
