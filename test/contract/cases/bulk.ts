import { expect } from 'chai';
import { BulkOutcome, type BulkJobResult } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { fails, ok, type AreaCases, type ContractCase } from '../support/contract.js';
import { completedJob, createJob, LATER, rejects, status, uniqueType, unknownId } from '../support/helpers.js';
import type { Target } from '../support/target.js';

type Bulk = 'pauseJobs' | 'resumeJobs' | 'cancelJobs';
type Selector = { selection: { case: 'ids'; value: { ids: string[] } } | { case: 'filter'; value: { type: string } } };
const byIds = (...ids: string[]): Selector => ({ selection: { case: 'ids', value: { ids } } });
const byType = (type: string): Selector => ({ selection: { case: 'filter', value: { type } } });

async function call(t: Target, rpc: Bulk, selector: Selector | undefined): Promise<BulkJobResult[]> {
  const request = selector ? { selector } : {};
  return (await (rpc === 'cancelJobs' ? t.scheduler.cancelJobs({ ...request, reason: 'contract' }) : t.scheduler[rpc](request))).results;
}

/** Each result as "OUTCOME STATE", keyed by job id, so tests read like the contract. */
function outcomes(results: readonly BulkJobResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.jobId, `${BulkOutcome[r.outcome]} ${r.state ? JobState[r.state] : '-'}`]));
}

/** Builds one job per outcome, then checks the bulk call reports each, and that ILLEGAL and NOT_FOUND carry a message. */
function everyOutcome(rpc: Bulk, jobs: { changed: [(t: Target, type: string) => Promise<string>, string]; unchanged: [(t: Target, type: string) => Promise<string>, string]; illegal: [(t: Target) => Promise<string>, string] }): ContractCase {
  return ok('reports CHANGED, UNCHANGED, ILLEGAL and NOT_FOUND per job, with the state after the call', async (t) => {
    const type = uniqueType();
    const changed = await jobs.changed[0](t, type);
    const unchanged = await jobs.unchanged[0](t, type);
    const illegal = await jobs.illegal[0](t);
    const missing = unknownId();
    const results = await call(t, rpc, byIds(changed, unchanged, illegal, missing));
    expect(results).to.have.length(4);
    expect(outcomes(results)).to.deep.equal({
      [changed]: `CHANGED ${jobs.changed[1]}`,
      [unchanged]: `UNCHANGED ${jobs.unchanged[1]}`,
      [illegal]: `ILLEGAL ${jobs.illegal[1]}`,
      [missing]: 'NOT_FOUND -',
    });
    const message = (id: string) => results.find((r) => r.jobId === id)?.message;
    expect(message(illegal)).to.match(new RegExp(jobs.illegal[1].toLowerCase()));
    expect(message(missing)).to.match(new RegExp(missing));
    expect(message(changed)).to.equal('');
  });
}

const scheduled = async (t: Target, type: string) => (await createJob(t, { type, schedule: LATER })).id;
const paused = async (t: Target, type: string) => {
  const id = await scheduled(t, type);
  await t.scheduler.pauseJob({ id });
  return id;
};
const cancelled = async (t: Target, type = uniqueType()) => {
  const id = await scheduled(t, type);
  await t.scheduler.cancelJob({ id });
  return id;
};
const completed = async (t: Target) => (await completedJob(t)).id;

/** The selector cases all three bulk RPCs share. */
function selectorCases(rpc: Bulk, after: string): ContractCase[] {
  return [
    ok(`selects by filter: every job of the type, and no other, is ${after}`, async (t) => {
      const type = uniqueType();
      const ids = [await scheduled(t, type), await scheduled(t, type)];
      const bystander = await scheduled(t, uniqueType());
      const results = await call(t, rpc, byType(type));
      expect(results.map((r) => r.jobId).sort()).to.deep.equal(ids.sort());
      expect(results.every((r) => r.outcome === BulkOutcome.CHANGED && JobState[r.state] === after)).to.equal(true);
      expect(JobState[(await t.scheduler.getJob({ id: bystander })).job?.state ?? 0]).to.equal('SCHEDULED');
    }),
    fails('INVALID_ARGUMENT', 'a missing selector is refused naming selector', async (t) => {
      await rejects(call(t, rpc, undefined), status.INVALID_ARGUMENT, /^selector is required/);
    }),
    fails('INVALID_ARGUMENT', 'an empty id list is refused naming selector.ids', async (t) => {
      await rejects(call(t, rpc, byIds()), status.INVALID_ARGUMENT, /^selector\.ids /);
    }),
    fails('INVALID_ARGUMENT', 'a malformed id is refused naming its index, and no job changes', async (t) => {
      const id = await scheduled(t, uniqueType());
      await rejects(call(t, rpc, byIds(id, 'nope')), status.INVALID_ARGUMENT, /^selector\.ids\.ids\[1\] "nope"/);
      expect(JobState[(await t.scheduler.getJob({ id })).job?.state ?? 0]).to.equal('SCHEDULED');
    }),
  ];
}

export const bulkCases: AreaCases = {
  scheduler: {
    pauseJobs: [
      everyOutcome('pauseJobs', { changed: [scheduled, 'PAUSED'], unchanged: [paused, 'PAUSED'], illegal: [cancelled, 'CANCELLED'] }),
      ...selectorCases('pauseJobs', 'PAUSED'),
    ],
    resumeJobs: [
      everyOutcome('resumeJobs', { changed: [paused, 'SCHEDULED'], unchanged: [scheduled, 'SCHEDULED'], illegal: [cancelled, 'CANCELLED'] }),
      ok('selects by filter: every paused job of the type is resumed', async (t) => {
        const type = uniqueType();
        const ids = [await paused(t, type), await paused(t, type)];
        const results = await call(t, 'resumeJobs', byType(type));
        expect(outcomes(results)).to.deep.equal(Object.fromEntries(ids.map((id) => [id, 'CHANGED SCHEDULED'])));
      }),
      ...selectorCases('resumeJobs', 'SCHEDULED').slice(1),
    ],
    cancelJobs: [
      everyOutcome('cancelJobs', { changed: [scheduled, 'CANCELLED'], unchanged: [cancelled, 'CANCELLED'], illegal: [completed, 'COMPLETED'] }),
      ...selectorCases('cancelJobs', 'CANCELLED'),
      fails('INVALID_ARGUMENT', 'a reason over 1,000 characters is refused naming reason', async (t) => {
        const id = await scheduled(t, uniqueType());
        await rejects(t.scheduler.cancelJobs({ selector: byIds(id), reason: 'x'.repeat(1001) }), status.INVALID_ARGUMENT, /^reason /);
      }),
    ],
  },
};
