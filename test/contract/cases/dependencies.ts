import { expect } from 'chai';
import { ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { DependencyCondition, JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { acquireOne, createJob, getJob, NOW, rejects, status, uniqueType, unknownId, type ScheduleInit } from '../support/helpers.js';

const AFTER_UPSTREAM: ScheduleInit = { kind: { case: 'afterUpstream', value: {} } };

export const dependencyCases: AreaCases = {
  scheduler: {
    createJob: [
      ok('a job after upstream jobs keeps depends_on in order with its conditions; after_upstream waits with no next_run_at', async (t) => {
        const a = await createJob(t, { type: uniqueType() });
        const b = await createJob(t, { type: uniqueType() });
        const down = await createJob(t, {
          type: uniqueType(),
          schedule: AFTER_UPSTREAM,
          dependsOn: [{ jobId: b.id, condition: DependencyCondition.COMPLETION }, { jobId: a.id }],
        });
        expect(down.dependsOn.map((d) => [d.jobId, DependencyCondition[d.condition]])).to.deep.equal([
          [b.id, 'COMPLETION'],
          [a.id, 'SUCCESS'],
        ]);
        expect(JobState[down.state]).to.equal('SCHEDULED');
        expect(down.nextRunAt).to.equal(undefined);
        expect((await getJob(t, down.id)).dependsOn).to.have.length(2);
      }),
      fails('INVALID_ARGUMENT', 'an after_upstream schedule without upstream jobs, an upstream that names no job, and a repeated upstream', async (t) => {
        await rejects(createJob(t, { type: uniqueType(), schedule: AFTER_UPSTREAM }), status.INVALID_ARGUMENT, /^job\.schedule\.after_upstream needs job\.depends_on to list at least one upstream job$/);
        const missing = unknownId();
        await rejects(createJob(t, { type: uniqueType(), dependsOn: [{ jobId: missing }] }), status.INVALID_ARGUMENT, new RegExp(`^job\\.depends_on\\[0\\]\\.job_id ${missing} names no job$`));
        await rejects(createJob(t, { type: uniqueType(), dependsOn: [{ jobId: 'nope' }] }), status.INVALID_ARGUMENT, /^job\.depends_on\[0\]\.job_id "nope" is not a valid id$/);
        const a = await createJob(t, { type: uniqueType() });
        await rejects(createJob(t, { type: uniqueType(), dependsOn: [{ jobId: a.id }, { jobId: a.id }] }), status.INVALID_ARGUMENT, /^job\.depends_on\[1\]\.job_id repeats job\.depends_on\[0\]/);
      }),
    ],
    updateJob: [
      fails('INVALID_ARGUMENT', 'depends_on that would close a cycle is refused naming the cycle', async (t) => {
        const a = await createJob(t, { type: uniqueType() });
        const b = await createJob(t, { type: uniqueType(), dependsOn: [{ jobId: a.id }] });
        await rejects(
          t.scheduler.updateJob({ job: { id: a.id, dependsOn: [{ jobId: b.id }] }, updateMask: { paths: ['depends_on'] } }),
          status.INVALID_ARGUMENT,
          new RegExp(`^job\\.depends_on would close a cycle: ${a.id} → ${b.id} → ${a.id} `),
        );
      }),
      ok('the mask depends_on replaces the upstream list', async (t) => {
        const a = await createJob(t, { type: uniqueType() });
        const b = await createJob(t, { type: uniqueType() });
        const down = await createJob(t, { type: uniqueType(), dependsOn: [{ jobId: a.id }] });
        const { job } = await t.scheduler.updateJob({ job: { id: down.id, dependsOn: [{ jobId: b.id, condition: DependencyCondition.FAILURE }] }, updateMask: { paths: ['depends_on'] } });
        expect(job?.dependsOn.map((d) => [d.jobId, DependencyCondition[d.condition]])).to.deep.equal([[b.id, 'FAILURE']]);
      }),
    ],
    cancelJob: [
      ok('a cancelled upstream job is taken out of its downstream jobs’ depends_on', async (t) => {
        const a = await createJob(t, { type: uniqueType() });
        const b = await createJob(t, { type: uniqueType() });
        const down = await createJob(t, { type: uniqueType(), schedule: AFTER_UPSTREAM, dependsOn: [{ jobId: a.id }, { jobId: b.id }] });
        await t.scheduler.cancelJob({ id: a.id });
        expect((await getJob(t, down.id)).dependsOn.map((d) => d.jobId)).to.deep.equal([b.id]);
      }),
    ],
    previewSchedule: [
      ok('an after_upstream schedule has no clock fire times', async (t) => {
        expect((await t.scheduler.previewSchedule({ schedule: AFTER_UPSTREAM, count: 5 })).fireTimes).to.deep.equal([]);
      }),
    ],
  },
  worker: {
    completeExecution: [
      ok('an upstream success queues its downstream job at once: trigger UPSTREAM, naming the upstream execution', async (t) => {
        const upType = uniqueType();
        const downType = uniqueType();
        const up = await createJob(t, { type: upType, schedule: NOW });
        await createJob(t, { type: downType, schedule: AFTER_UPSTREAM, dependsOn: [{ jobId: up.id }] });
        const acquired = await acquireOne(t, upType);
        await t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
        const fired = await acquireOne(t, downType);
        expect(ExecutionTrigger[fired.execution?.trigger ?? 0]).to.equal('UPSTREAM');
        expect(fired.execution?.upstreamExecutionIds).to.deep.equal([acquired.execution?.id]);
      }),
    ],
  },
};
