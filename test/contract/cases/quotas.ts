import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { fails, ok, type AreaCases } from '../support/contract.js';
import type { Target } from '../support/target.js';
import { createJob, NOW, rejects, status, uniqueType } from '../support/helpers.js';

/** Quotas on types of their own, so a shared server's other work is never held back; removed after. */
async function withQuota(t: Target, run: (type: string) => Promise<void>, limits: { maxRunning?: number } = { maxRunning: 1 }): Promise<void> {
  const type = uniqueType();
  await t.quotas.setQuota({ quota: { key: { jobType: type }, ...limits } });
  try {
    await run(type);
  } finally {
    await t.quotas.deleteQuota({ key: { jobType: type } }).catch(() => undefined);
  }
}

export const quotaCases: AreaCases = {
  quotas: {
    setQuota: [
      ok('stores both limits and answers the quota; setting the key again replaces them', async (t) => {
        const type = uniqueType();
        const { quota } = await t.quotas.setQuota({ quota: { key: { jobType: type, labelKey: 'tenant', labelValue: 'acme' }, maxRunning: 3, rateLimit: { maxStarts: 10, period: durationFromMs(60_000) } } });
        expect([quota?.key?.jobType, quota?.key?.labelKey, quota?.key?.labelValue, quota?.maxRunning, quota?.rateLimit?.maxStarts, Number(quota?.rateLimit?.period?.seconds)]).to.deep.equal([type, 'tenant', 'acme', 3, 10, 60]);
        const { quota: replaced } = await t.quotas.setQuota({ quota: { key: { jobType: type, labelKey: 'tenant', labelValue: 'acme' }, maxRunning: 5 } });
        expect([replaced?.maxRunning, replaced?.rateLimit]).to.deep.equal([5, undefined]);
        await t.quotas.deleteQuota({ key: { jobType: type, labelKey: 'tenant', labelValue: 'acme' } });
      }),
      fails('INVALID_ARGUMENT', 'no limit, a limit out of range, half a label, a bad job type', async (t) => {
        const type = uniqueType();
        await rejects(t.quotas.setQuota({}), status.INVALID_ARGUMENT, /^quota is required$/);
        await rejects(t.quotas.setQuota({ quota: { key: { jobType: type } } }), status.INVALID_ARGUMENT, /^quota needs max_running, rate_limit or both$/);
        await rejects(t.quotas.setQuota({ quota: { key: { jobType: type }, maxRunning: 0 } }), status.INVALID_ARGUMENT, /^quota\.max_running must be from 1 to 1000000, got 0/);
        await rejects(t.quotas.setQuota({ quota: { key: { jobType: type }, rateLimit: { maxStarts: 0, period: durationFromMs(1_000) } } }), status.INVALID_ARGUMENT, /^quota\.rate_limit\.max_starts must be from 1 to 1000000, got 0$/);
        await rejects(t.quotas.setQuota({ quota: { key: { jobType: type, labelValue: 'x' }, maxRunning: 1 } }), status.INVALID_ARGUMENT, /^quota\.key\.label_key and quota\.key\.label_value go together/);
        await rejects(t.quotas.setQuota({ quota: { key: { jobType: 'has space' }, maxRunning: 1 } }), status.INVALID_ARGUMENT, /^quota\.key\.job_type "has space" must be 1 to 100 letters/);
      }),
    ],
    getQuota: [
      ok('answers the quota with its usage: running, recent starts, waiting', async (t) =>
        withQuota(t, async (type) => {
          await createJob(t, { type, schedule: NOW });
          await createJob(t, { type, schedule: NOW });
          const { executions } = await t.worker.acquireExecutions({ workerId: 'contract', jobTypes: [type], capacity: 10 });
          expect(executions).to.have.length(1);
          const { status: got } = await t.quotas.getQuota({ key: { jobType: type } });
          expect(got?.usage).to.include({ running: 1, waiting: 1 });
          expect(got?.quota?.maxRunning).to.equal(1);
        })),
      fails('INVALID_ARGUMENT', 'a key without a job type', async (t) => {
        await rejects(t.quotas.getQuota({}), status.INVALID_ARGUMENT, /^key is required: at least key\.job_type$/);
        await rejects(t.quotas.getQuota({ key: { jobType: '' } }), status.INVALID_ARGUMENT, /^key\.job_type is required$/);
      }),
      fails('NOT_FOUND', 'a key without a quota', async (t) => {
        await rejects(t.quotas.getQuota({ key: { jobType: uniqueType() } }), status.NOT_FOUND, /^quota job_type=".+" not found; ListQuotas shows the quotas that exist$/);
      }),
    ],
    listQuotas: [
      ok('lists the quotas of a type, the whole-type one first', async (t) =>
        withQuota(t, async (type) => {
          await t.quotas.setQuota({ quota: { key: { jobType: type, labelKey: 'tenant', labelValue: 'b' }, maxRunning: 2 } });
          const { quotas } = await t.quotas.listQuotas({ jobType: type });
          expect(quotas.map((q) => [q.quota?.key?.labelKey, q.quota?.key?.labelValue, q.quota?.maxRunning])).to.deep.equal([['', '', 1], ['tenant', 'b', 2]]);
          await t.quotas.deleteQuota({ key: { jobType: type, labelKey: 'tenant', labelValue: 'b' } });
        })),
      fails('INVALID_ARGUMENT', 'a job type filter that is not a job type', async (t) => {
        await rejects(t.quotas.listQuotas({ jobType: 'not a type' }), status.INVALID_ARGUMENT, /^request\.job_type "not a type" must be 1 to 100 letters/);
      }),
    ],
    deleteQuota: [
      ok('removes the quota: what it held back can be acquired', async (t) =>
        withQuota(t, async (type) => {
          await createJob(t, { type, schedule: NOW });
          await createJob(t, { type, schedule: NOW });
          expect((await t.worker.acquireExecutions({ workerId: 'contract', jobTypes: [type], capacity: 10 })).executions).to.have.length(1);
          await t.quotas.deleteQuota({ key: { jobType: type } });
          expect((await t.worker.acquireExecutions({ workerId: 'contract', jobTypes: [type], capacity: 10 })).executions).to.have.length(1);
          await rejects(t.quotas.getQuota({ key: { jobType: type } }), status.NOT_FOUND);
        })),
      fails('INVALID_ARGUMENT', 'a key without a job type', async (t) => {
        await rejects(t.quotas.deleteQuota({}), status.INVALID_ARGUMENT, /^key is required/);
      }),
      fails('NOT_FOUND', 'a key without a quota', async (t) => {
        await rejects(t.quotas.deleteQuota({ key: { jobType: uniqueType(), labelKey: 'tenant', labelValue: 'nobody' } }), status.NOT_FOUND, /^quota job_type=".+" label tenant="nobody" not found/);
      }),
    ],
  },
};
