import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { fails, ok, type AreaCases, type ContractCase } from '../support/contract.js';
import { createJob, ms, NOW, rejects, runningJob, status, uniqueType, unknownId } from '../support/helpers.js';
import type { Target } from '../support/target.js';

/**
 * The counts, lengths, sizes and durations worker_service.proto (and ExecutionError in
 * execution.proto) state, at their edges: just inside accepted, just outside refused naming the
 * field.
 */

const WORKER = 'contract-worker';
const EMOJI = '😀'; // one character, two UTF-16 units
const KIB_64 = 64 * 1024;
/** {"p":"…"} of exactly `bytes` bytes as JSON: the size the 64 KiB limits measure. */
const structOf = (bytes: number) => ({ p: 'x'.repeat(bytes - '{"p":""}'.length) });
const leaseOf = (acquired: { execution?: { id: string }; leaseToken: string }) => ({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
const nothing = () => 'contract.none';

/** [what, the AcquireExecutions request fields that differ from a valid one, the field the refusal names]. */
const ACQUIRE_REFUSED: readonly [string, Record<string, unknown>, RegExp][] = [
  ['a worker_id of 201 characters', { workerId: EMOJI.repeat(201) }, /^worker_id must be at most 200 characters, got 201/],
  ['101 job_types', { jobTypes: Array.from({ length: 101 }, (_, i) => `contract.none.${i}`) }, /^job_types must list 1 to 100 types, got 101/],
  ['capacity 0', { capacity: 0 }, /^capacity must be from 1 to 1000/],
  ['capacity 1001', { capacity: 1001 }, /^capacity must be from 1 to 1000/],
  ['a wait of 60.001 s', { wait: durationFromMs(60_001) }, /^wait must be at most 60s/],
  ['a lease_duration of 4.999 s', { leaseDuration: durationFromMs(4_999) }, /^lease_duration must be from 5s to 3600s, got 4\.999s/],
  ['a lease_duration of 1 h + 1 ms', { leaseDuration: durationFromMs(3_600_001) }, /^lease_duration must be from 5s to 3600s/],
];

const acquire = (t: Target, request: Record<string, unknown>) => t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [nothing()], capacity: 1, ...request });

/** One queued execution of a fresh type, acquired with `request`; returns the acquired execution. */
async function acquireWith(t: Target, request: Record<string, unknown>) {
  const type = uniqueType();
  await createJob(t, { type, schedule: NOW });
  const { executions } = await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1, wait: durationFromMs(5_000), ...request });
  expect(executions, 'acquired').to.have.length(1);
  return executions[0]!;
}

/** The lease each acquisition got, from its start to its expiry. */
const leaseMs = (acquired: Awaited<ReturnType<typeof acquireWith>>) => ms(acquired.leaseExpiresAt) - ms(acquired.execution?.startedAt);

const acquireCases: ContractCase[] = [
  ok('accepts a worker_id of 200 characters (emoji count as one) and records it on the execution', async (t) => {
    const acquired = await acquireWith(t, { workerId: EMOJI.repeat(200) });
    expect(acquired.execution?.workerId).to.equal(EMOJI.repeat(200));
  }),
  ok('accepts 100 job_types and capacity 1,000 (the maxima)', async (t) => {
    const type = uniqueType();
    await createJob(t, { type, schedule: NOW });
    const jobTypes = [type, ...Array.from({ length: 99 }, (_, i) => `contract.none.${i}`)];
    const { executions } = await t.worker.acquireExecutions({ workerId: WORKER, jobTypes, capacity: 1000, wait: durationFromMs(5_000) });
    expect(executions.map((a) => a.execution?.jobType)).to.deep.equal([type]);
  }),
  ok('accepts a wait of 60 s (the maximum); with work queued it returns at once', async (t) => {
    const acquired = await acquireWith(t, { wait: durationFromMs(60_000) });
    expect(acquired.leaseToken).to.not.equal('');
  }),
  ok('without wait (unset or 0) an empty poll returns at once', async (t) => {
    const started = Date.now();
    expect((await acquire(t, { jobTypes: [uniqueType()] })).executions).to.deep.equal([]);
    expect((await acquire(t, { jobTypes: [uniqueType()], wait: durationFromMs(0) })).executions).to.deep.equal([]);
    expect(Date.now() - started, 'two polls that must not wait').to.be.below(10_000);
  }),
  ok('a call deadline shorter than wait ends the poll (DEADLINE_EXCEEDED), and the caller that left is handed nothing', async (t) => {
    const type = uniqueType();
    await rejects(t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1, wait: durationFromMs(30_000) }, { deadline: 300 }), status.DEADLINE_EXCEEDED);
    // Real time for the server to see the cancellation the client already saw (the contract suite talks to a real process).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const job = await createJob(t, { type, schedule: NOW });
    const { executions } = await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1, wait: durationFromMs(5_000) });
    expect(executions.map((a) => a.execution?.jobId)).to.deep.equal([job.id]);
  }),
  ok('lease_duration 5 s and 1 h (the bounds) are granted as asked', async (t) => {
    expect(leaseMs(await acquireWith(t, { leaseDuration: durationFromMs(5_000) }))).to.equal(5_000);
    expect(leaseMs(await acquireWith(t, { leaseDuration: durationFromMs(3_600_000) }))).to.equal(3_600_000);
  }),
  ok('an unset lease_duration is the service default (30 s unless configured)', async (t) => {
    const lease = leaseMs(await acquireWith(t, {}));
    // The suite's own server runs with the documented default; another may be configured within the bounds.
    if (t.own) expect(lease).to.equal(30_000);
    else expect(lease).to.be.within(5_000, 3_600_000);
  }),
  ...ACQUIRE_REFUSED.map(([what, change, message]) =>
    fails('INVALID_ARGUMENT', `refuses ${what}, naming the field`, async (t) => {
      await rejects(acquire(t, change), status.INVALID_ARGUMENT, message);
    }),
  ),
];

export const workerBoundaryCases: AreaCases = {
  worker: {
    acquireExecutions: acquireCases,

    heartbeat: [
      ok('accepts 1,000 leases (the maximum), one status each in order', async (t) => {
        const leases = Array.from({ length: 1000 }, () => ({ executionId: unknownId(), leaseToken: unknownId() }));
        const { leases: statuses } = await t.worker.heartbeat({ workerId: WORKER, leases });
        expect(statuses.map((s) => [s.executionId, s.held])).to.deep.equal(leases.map((l) => [l.executionId, false]));
      }),
      fails('INVALID_ARGUMENT', 'refuses 1,001 leases, naming leases', async (t) => {
        const leases = Array.from({ length: 1001 }, () => ({ executionId: unknownId(), leaseToken: unknownId() }));
        await rejects(t.worker.heartbeat({ workerId: WORKER, leases }), status.INVALID_ARGUMENT, /^leases must list 1 to 1000 leases, got 1001/);
      }),
      ok('records progress of exactly 64 KiB encoded', async (t) => {
        const { acquired } = await runningJob(t);
        const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ ...leaseOf(acquired), progress: structOf(KIB_64) }] });
        expect(leases[0]?.held).to.equal(true);
        expect((await t.scheduler.getExecution({ id: acquired.execution?.id ?? '' })).execution?.progress).to.deep.equal(structOf(KIB_64));
      }),
      fails('INVALID_ARGUMENT', 'refuses progress of 64 KiB + 1 byte, naming leases[0].progress', async (t) => {
        const { acquired } = await runningJob(t);
        await rejects(t.worker.heartbeat({ workerId: WORKER, leases: [{ ...leaseOf(acquired), progress: structOf(KIB_64 + 1) }] }), status.INVALID_ARGUMENT, /^leases\[0\]\.progress is 65537 bytes encoded; the limit is 65536/);
      }),
      fails('INVALID_ARGUMENT', 'refuses a worker_id of 201 characters', async (t) => {
        await rejects(t.worker.heartbeat({ workerId: 'w'.repeat(201), leases: [{ executionId: unknownId(), leaseToken: unknownId() }] }), status.INVALID_ARGUMENT, /^worker_id must be at most 200 characters/);
      }),
    ],

    completeExecution: [
      ok('stores a result of exactly 64 KiB encoded', async (t) => {
        const { acquired } = await runningJob(t);
        const { execution } = await t.worker.completeExecution({ ...leaseOf(acquired), result: structOf(KIB_64) });
        expect(execution?.result).to.deep.equal(structOf(KIB_64));
      }),
      fails('INVALID_ARGUMENT', 'refuses a result of 64 KiB + 1 byte, naming result, and the execution keeps running', async (t) => {
        const { acquired } = await runningJob(t);
        await rejects(t.worker.completeExecution({ ...leaseOf(acquired), result: structOf(KIB_64 + 1) }), status.INVALID_ARGUMENT, /^result is 65537 bytes encoded; the limit is 65536/);
        expect((await t.scheduler.getExecution({ id: acquired.execution?.id ?? '' })).execution?.status).to.equal(ExecutionStatus.RUNNING);
      }),
    ],

    failExecution: [
      ok('keeps an error message of 4,096 characters whole (emoji count as one) and error_details of exactly 64 KiB', async (t) => {
        const { acquired } = await runningJob(t);
        const { execution } = await t.worker.failExecution({ ...leaseOf(acquired), errorMessage: EMOJI.repeat(4096), errorDetails: structOf(KIB_64) });
        expect(execution?.error?.message).to.equal(EMOJI.repeat(4096));
        expect(execution?.error?.details).to.deep.equal(structOf(KIB_64));
      }),
      ok('cuts an error message of 4,097 characters to 4,096, ending with "…"', async (t) => {
        const { acquired } = await runningJob(t);
        const { execution } = await t.worker.failExecution({ ...leaseOf(acquired), errorMessage: 'e'.repeat(4097) });
        expect(execution?.error?.message).to.equal(`${'e'.repeat(4095)}…`);
      }),
      fails('INVALID_ARGUMENT', 'refuses error_details of 64 KiB + 1 byte, naming error_details', async (t) => {
        const { acquired } = await runningJob(t);
        await rejects(t.worker.failExecution({ ...leaseOf(acquired), errorMessage: 'x', errorDetails: structOf(KIB_64 + 1) }), status.INVALID_ARGUMENT, /^error_details is 65537 bytes encoded; the limit is 65536/);
      }),
      fails('INVALID_ARGUMENT', 'refuses an error message of white space only, naming error_message', async (t) => {
        const { acquired } = await runningJob(t);
        await rejects(t.worker.failExecution({ ...leaseOf(acquired), errorMessage: '   ' }), status.INVALID_ARGUMENT, /^error_message is required/);
      }),
    ],

    reportOutcomes: [
      ok('accepts 1,000 outcomes (the maximum), one result each in order', async (t) => {
        const outcomes = Array.from({ length: 1000 }, () => ({ executionId: unknownId(), leaseToken: unknownId(), outcome: { case: 'success' as const, value: {} } }));
        const { results } = await t.worker.reportOutcomes({ workerId: WORKER, outcomes });
        expect(results.map((r) => [r.executionId, r.accepted, r.code])).to.deep.equal(outcomes.map((o) => [o.executionId, false, status.NOT_FOUND]));
      }),
      fails('INVALID_ARGUMENT', 'refuses 1,001 outcomes, naming outcomes', async (t) => {
        const outcomes = Array.from({ length: 1001 }, () => ({ executionId: unknownId(), leaseToken: unknownId(), outcome: { case: 'success' as const, value: {} } }));
        await rejects(t.worker.reportOutcomes({ workerId: WORKER, outcomes }), status.INVALID_ARGUMENT, /^outcomes must list 1 to 1000 outcomes, got 1001/);
      }),
      fails('INVALID_ARGUMENT', 'refuses failure error_details over 64 KiB, naming the outcome', async (t) => {
        const outcome = { case: 'failure' as const, value: { errorMessage: 'x', errorDetails: structOf(KIB_64 + 1) } };
        await rejects(
          t.worker.reportOutcomes({ workerId: WORKER, outcomes: [{ executionId: unknownId(), leaseToken: unknownId(), outcome }] }),
          status.INVALID_ARGUMENT,
          /^outcomes\[0\]\.failure\.error_details is 65537 bytes encoded/,
        );
      }),
    ],
  },
};
