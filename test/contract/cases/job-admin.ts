import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { IntervalUnit } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { createJob, executionOf, hourly, LAST_TIMESTAMP, LATER, ms, NOW, rejects, status, stateName, uniqueType, unknownId, UNSUPPORTED_INSTANT } from '../support/helpers.js';

const mask = (...paths: string[]) => ({ paths });

export const jobAdminCases: AreaCases = {
  scheduler: {
    updateJob: [
      ok('changes exactly the fields in update_mask, bumps the version and leaves the state alone', async (t) => {
        const job = await createJob(t, { type: uniqueType(), name: 'before', priority: 1, labels: { keep: 'me' } });
        const { job: updated } = await t.scheduler.updateJob({
          job: { id: job.id, name: 'after', priority: 999, description: 'not in the mask', labels: {} },
          updateMask: mask('name'),
        });
        expect(updated).to.include({ id: job.id, name: 'after', priority: 1, description: '' });
        expect(updated?.labels).to.deep.equal({ keep: 'me' });
        expect(updated?.version).to.equal(job.version + 1n);
        expect(stateName(updated?.state ?? 0)).to.equal(stateName(job.state));
        expect(ms(updated?.updatedAt)).to.be.at.least(ms(job.updatedAt));
      }),
      ok('a schedule change recomputes next_run_at', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: LATER });
        const anchor = new Date('2026-01-01T00:00:00Z');
        const { job: updated } = await t.scheduler.updateJob({ job: { id: job.id, schedule: hourly(anchor) }, updateMask: mask('schedule') });
        const next = ms(updated?.nextRunAt);
        expect(next).to.be.greaterThan(Date.now() - 5_000).and.at.most(Date.now() + 3_600_000 + 5_000);
        expect((next - anchor.getTime()) % 3_600_000, 'aligned to the anchor').to.equal(0);
        expect(stateName(updated?.state ?? 0)).to.equal('SCHEDULED');
      }),
      ok('several fields at once, with expected_version equal to the current version', async (t) => {
        const job = await createJob(t, { type: uniqueType() });
        const { job: updated } = await t.scheduler.updateJob({
          job: { id: job.id, description: 'new', attemptTimeout: durationFromMs(5_000), labels: { x: 'y' } },
          updateMask: mask('description', 'attempt_timeout', 'labels'),
          expectedVersion: job.version,
        });
        expect(updated).to.include({ description: 'new' });
        expect(updated?.labels).to.deep.equal({ x: 'y' });
        expect(Number(updated?.attemptTimeout?.seconds)).to.equal(5);
      }),
      fails('ABORTED', 'a stale expected_version changes nothing', async (t) => {
        const job = await createJob(t, { type: uniqueType(), name: 'v1' });
        await t.scheduler.updateJob({ job: { id: job.id, name: 'v2' }, updateMask: mask('name') });
        await rejects(t.scheduler.updateJob({ job: { id: job.id, name: 'v3' }, updateMask: mask('name'), expectedVersion: job.version }), status.ABORTED, /version/);
        expect((await t.scheduler.getJob({ id: job.id })).job?.name).to.equal('v2');
      }),
      ...([
        ['a missing update_mask', [], /^update_mask is required/],
        ['an output-only field (state) in the mask', ['state'], /^update_mask: "state" is output only/],
        ['an output-only field (next_run_at) in the mask', ['next_run_at'], /^update_mask: "next_run_at" is output only/],
        ['a path that is not a field of Job', ['colour'], /^update_mask: "colour" is not a field of Job/],
      ] as const).map(([what, paths, message]) =>
        fails('INVALID_ARGUMENT', `${what} is refused`, async (t) => {
          const job = await createJob(t, { type: uniqueType() });
          await rejects(t.scheduler.updateJob({ job: { id: job.id, name: 'x' }, updateMask: mask(...paths) }), status.INVALID_ARGUMENT, message);
        }),
      ),
      fails('INVALID_ARGUMENT', 'an invalid new value is refused naming the field, and the job is unchanged', async (t) => {
        const job = await createJob(t, { type: uniqueType(), name: 'kept' });
        await rejects(t.scheduler.updateJob({ job: { id: job.id, name: '' }, updateMask: mask('name') }), status.INVALID_ARGUMENT, /^job\.name /);
        await rejects(
          t.scheduler.updateJob({ job: { id: job.id, schedule: { kind: { case: 'cron', value: { expression: 'x' } } } }, updateMask: mask('schedule') }),
          status.INVALID_ARGUMENT,
          /^job\.schedule\.cron\.expression /,
        );
        await rejects(
          t.scheduler.updateJob({ job: { id: job.id, schedule: { kind: { case: 'interval', value: { every: 1, unit: IntervalUnit.HOURS, anchor: LAST_TIMESTAMP } } } }, updateMask: mask('schedule') }),
          status.INVALID_ARGUMENT,
          new RegExp(`^job\\.schedule\\.interval\\.anchor${UNSUPPORTED_INSTANT.source}`),
        );
        await rejects(
          t.scheduler.updateJob({ job: { id: job.id, payload: { ratio: Number.NaN } }, updateMask: mask('payload') }),
          status.INVALID_ARGUMENT,
          /^job\.payload\["ratio"\] is NaN; JSON has no NaN or Infinity$/,
        );
        const { job: stored } = await t.scheduler.getJob({ id: job.id });
        expect(stored).to.include({ name: 'kept', version: job.version });
      }),
      fails('INVALID_ARGUMENT', 'a missing job.id is refused naming job.id', async (t) => {
        await rejects(t.scheduler.updateJob({ job: { name: 'x' }, updateMask: mask('name') }), status.INVALID_ARGUMENT, /^job\.id is required/);
      }),
      fails('NOT_FOUND', 'an unknown job.id', async (t) => {
        await rejects(t.scheduler.updateJob({ job: { id: unknownId(), name: 'x' }, updateMask: mask('name') }), status.NOT_FOUND);
      }),
      fails('FAILED_PRECONDITION', 'a cancelled job cannot be changed; the message names the state', async (t) => {
        const job = await createJob(t, { type: uniqueType() });
        await t.scheduler.cancelJob({ id: job.id });
        await rejects(t.scheduler.updateJob({ job: { id: job.id, name: 'x' }, updateMask: mask('name') }), status.FAILED_PRECONDITION, /cancelled/);
      }),
    ],

    deleteJob: [
      ok('deletes the job and its execution history', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: LATER });
        const { execution } = await t.scheduler.runJob({ id: job.id });
        await t.scheduler.cancelExecution({ id: execution?.id ?? '' });
        expect(await t.scheduler.deleteJob({ id: job.id })).to.be.an('object');
        await rejects(t.scheduler.getJob({ id: job.id }), status.NOT_FOUND);
        await rejects(t.scheduler.getExecution({ id: execution?.id ?? '' }), status.NOT_FOUND);
      }),
      ok('with force, deletes a job whose execution is queued', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: NOW });
        const queued = await executionOf(t, job.id, (e) => e.status === ExecutionStatus.QUEUED);
        await t.scheduler.deleteJob({ id: job.id, force: true });
        await rejects(t.scheduler.getJob({ id: job.id }), status.NOT_FOUND);
        await rejects(t.scheduler.getExecution({ id: queued.id }), status.NOT_FOUND);
      }),
      fails('FAILED_PRECONDITION', 'without force, a job with a queued execution is kept', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: NOW });
        await executionOf(t, job.id, (e) => e.status === ExecutionStatus.QUEUED);
        await rejects(t.scheduler.deleteJob({ id: job.id }), status.FAILED_PRECONDITION, /queued or running/);
        expect((await t.scheduler.getJob({ id: job.id })).job?.id).to.equal(job.id);
      }),
      fails('INVALID_ARGUMENT', 'a missing or malformed id is refused naming id', async (t) => {
        await rejects(t.scheduler.deleteJob({}), status.INVALID_ARGUMENT, /^id is required/);
        await rejects(t.scheduler.deleteJob({ id: '42' }), status.INVALID_ARGUMENT, /^id "42"/);
      }),
      fails('NOT_FOUND', 'an unknown id', async (t) => {
        await rejects(t.scheduler.deleteJob({ id: unknownId() }), status.NOT_FOUND);
      }),
    ],
  },
};
