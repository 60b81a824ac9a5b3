import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState, JobView } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { fails, ok, type AreaCases, type ContractCase } from '../support/contract.js';
import { createJob, LATER, rejects, status, uniqueType, unknownId } from '../support/helpers.js';
import { GARBAGE_TOKEN, NULL_TOKEN, withBadIds, withBadNumbers } from '../support/page-tokens.js';
import type { Target } from '../support/target.js';
import { pagingCases } from './paging.js';

/** A type with `count` scheduled jobs, created in one batch. */
async function typeWithJobs(t: Target, count: number): Promise<string> {
  const type = uniqueType();
  await t.scheduler.batchCreateJobs({ requests: Array.from({ length: count }, (_, i) => ({ job: { name: `job ${i}`, type, schedule: LATER } })) });
  return type;
}

/** A job with `count` queued executions (RunJob `count` times). */
async function jobWithRuns(t: Target, count: number, type = uniqueType()): Promise<string> {
  const job = await createJob(t, { type, schedule: LATER });
  for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => t.scheduler.runJob({ id: job.id })));
  return job.id;
}

type List = (t: Target, request: { pageSize?: number; pageToken?: string }) => Promise<{ nextPageToken: string }>;

/** Page-size and page-token cases shared by ListJobs and ListExecutions. */
function pageArgumentCases(make: (t: Target) => Promise<List>, foreign: (t: Target) => Promise<string>): ContractCase[] {
  const firstToken = async (t: Target, list: List) => {
    const { nextPageToken } = await list(t, { pageSize: 1 });
    expect(nextPageToken, 'a first page of one row has a next page').to.not.equal('');
    return nextPageToken;
  };
  return [
    fails('INVALID_ARGUMENT', 'page_size 501 (over the maximum of 500) is refused naming page_size', async (t) => {
      await rejects((await make(t))(t, { pageSize: 501 }), status.INVALID_ARGUMENT, /^page_size must be at most 500/);
    }),
    fails('INVALID_ARGUMENT', 'a page_token that is not a token at all is refused naming page_token', async (t) => {
      const list = await make(t);
      await rejects(list(t, { pageToken: GARBAGE_TOKEN }), status.INVALID_ARGUMENT, /^page_token /);
      await rejects(list(t, { pageToken: NULL_TOKEN }), status.INVALID_ARGUMENT, /^page_token /);
    }),
    fails('INVALID_ARGUMENT', 'a forged page_token (edited position) is refused naming page_token', async (t) => {
      const list = await make(t);
      const token = await firstToken(t, list);
      await rejects(list(t, { pageToken: withBadIds(token) }), status.INVALID_ARGUMENT, /^page_token /);
      await rejects(list(t, { pageToken: withBadNumbers(token) }), status.INVALID_ARGUMENT, /^page_token /);
    }),
    fails('INVALID_ARGUMENT', 'a page_token of another query (other filters, or the other list RPC) is refused naming page_token', async (t) => {
      const list = await make(t);
      await rejects(list(t, { pageToken: await foreign(t) }), status.INVALID_ARGUMENT, /^page_token /);
    }),
  ];
}

const listJobsOfType = (type: string): List => (t, request) => t.scheduler.listJobs({ filter: { type }, ...request });
const listRunsOf = (jobId: string): List => (t, request) => t.scheduler.listExecutions({ jobId, ...request });

export const listingCases: AreaCases = {
  scheduler: {
    listJobs: [
      ok('lists newest first, filtered by type, with total_size and no next page when all fit', async (t) => {
        const type = uniqueType();
        const ids: string[] = [];
        for (const name of ['a', 'b', 'c']) ids.push((await createJob(t, { type, name })).id);
        const page = await t.scheduler.listJobs({ filter: { type } });
        expect(page.jobs.map((j) => j.id)).to.deep.equal(ids.reverse());
        expect(page.totalSize).to.equal(3n);
        expect(page.nextPageToken).to.equal('');
      }),
      ok('filters by states and labels; every set filter must match', async (t) => {
        const type = uniqueType();
        const a = await createJob(t, { type, labels: { team: 'x' } });
        const b = await createJob(t, { type, labels: { team: 'x', tier: '1' } });
        const c = await createJob(t, { type, labels: { team: 'y' } });
        await t.scheduler.pauseJob({ id: b.id });
        const ids = async (filter: object) => (await t.scheduler.listJobs({ filter: { type, ...filter } })).jobs.map((j) => j.id);
        expect(await ids({ states: [JobState.PAUSED] })).to.deep.equal([b.id]);
        expect(await ids({ states: [JobState.PAUSED, JobState.SCHEDULED] })).to.deep.equal([c.id, b.id, a.id]);
        expect(await ids({ labels: { team: 'x' } })).to.deep.equal([b.id, a.id]);
        expect(await ids({ labels: { team: 'x', tier: '1' } })).to.deep.equal([b.id]);
        expect(await ids({ states: [JobState.SCHEDULED], labels: { team: 'x' } })).to.deep.equal([a.id]);
      }),
      ok('name_contains finds names containing the text, ignoring case, with % and _ taken literally', async (t) => {
        const type = uniqueType();
        const percent = await createJob(t, { type, name: 'Report 50% done' });
        const plain = await createJob(t, { type, name: 'report 500 rows' });
        const underscore = await createJob(t, { type, name: 'nightly_REPORT' });
        await createJob(t, { type, name: 'nightlyXreport' });
        const ids = async (nameContains: string) => (await t.scheduler.listJobs({ filter: { type, nameContains } })).jobs.map((j) => j.id);
        expect(await ids('REPORT 50')).to.deep.equal([plain.id, percent.id]);
        expect(await ids('50%')).to.deep.equal([percent.id]);
        expect(await ids('y_r')).to.deep.equal([underscore.id]);
        expect(await ids('x'.repeat(200))).to.deep.equal([]);
        const paged = await t.scheduler.listJobs({ filter: { type, nameContains: 'report' }, pageSize: 1 });
        expect(paged.totalSize).to.equal(4n);
        await rejects(t.scheduler.listJobs({ filter: { type, nameContains: 'rows' }, pageToken: paged.nextPageToken }), status.INVALID_ARGUMENT, /^page_token /);
      }),
      ok('view BASIC lists every field but the payload; FULL and unset list it', async (t) => {
        const type = uniqueType();
        const job = await createJob(t, { type, payload: { url: 'https://example.org' } });
        const [basic = [], full, unset] = await Promise.all([JobView.BASIC, JobView.FULL, JobView.UNSPECIFIED].map(async (view) => (await t.scheduler.listJobs({ filter: { type }, view })).jobs));
        expect(full).to.deep.equal([job]);
        expect(unset).to.deep.equal([job]);
        expect(basic.map((j) => ({ ...j, payload: job.payload }))).to.deep.equal([job]);
        expect(basic[0]?.payload).to.equal(undefined);
      }),
      fails('INVALID_ARGUMENT', 'a view that is no JobView is refused naming view', async (t) => {
        await rejects(t.scheduler.listJobs({ view: 3 as JobView }), status.INVALID_ARGUMENT, /^view has an unknown value \(3\): JOB_VIEW_FULL or JOB_VIEW_BASIC/);
      }),
      fails('INVALID_ARGUMENT', 'a name_contains of 201 characters is refused naming filter.name_contains', async (t) => {
        await rejects(t.scheduler.listJobs({ filter: { nameContains: 'x'.repeat(201) } }), status.INVALID_ARGUMENT, /^filter\.name_contains must be at most 200 characters, got 201/);
      }),
      ok('page_size 0 means 50; 500, the maximum, is accepted; the pages join up', async (t) => {
        const type = await typeWithJobs(t, 51);
        const first = await t.scheduler.listJobs({ filter: { type } });
        expect(first.jobs).to.have.length(50);
        expect(first.totalSize).to.equal(51n);
        const second = await t.scheduler.listJobs({ filter: { type }, pageToken: first.nextPageToken });
        expect(second.jobs).to.have.length(1);
        expect(second.nextPageToken).to.equal('');
        const all = await t.scheduler.listJobs({ filter: { type }, pageSize: 500 });
        expect(all.jobs.map((j) => j.id)).to.deep.equal([...first.jobs, ...second.jobs].map((j) => j.id));
      }),
      ...pagingCases.listJobs,
      ...pageArgumentCases(
        async (t) => listJobsOfType(await typeWithJobs(t, 2)),
        async (t) => (await t.scheduler.listJobs({ filter: { type: await typeWithJobs(t, 2) }, pageSize: 1 })).nextPageToken,
      ),
      fails('INVALID_ARGUMENT', 'an unspecified state in the filter is refused naming filter.states[0]', async (t) => {
        await rejects(t.scheduler.listJobs({ filter: { states: [JobState.UNSPECIFIED] } }), status.INVALID_ARGUMENT, /^filter\.states\[0\] /);
      }),
    ],

    listExecutions: [
      ok("lists one job's executions newest first (by number)", async (t) => {
        const jobId = await jobWithRuns(t, 1);
        await t.scheduler.runJob({ id: jobId });
        await t.scheduler.runJob({ id: jobId });
        const { executions, nextPageToken } = await t.scheduler.listExecutions({ jobId });
        expect(executions.map((e) => e.number)).to.deep.equal([3n, 2n, 1n]);
        expect(executions.every((e) => e.jobId === jobId)).to.equal(true);
        expect(nextPageToken).to.equal('');
      }),
      ok('filters by job_type and statuses across jobs', async (t) => {
        const type = uniqueType();
        const first = await jobWithRuns(t, 2, type);
        const second = await jobWithRuns(t, 1, type);
        const [newest] = (await t.scheduler.listExecutions({ jobId: first, pageSize: 1 })).executions;
        await t.scheduler.cancelExecution({ id: newest?.id ?? '' });
        const ofType = await t.scheduler.listExecutions({ jobType: type });
        expect(ofType.executions).to.have.length(3);
        expect(new Set(ofType.executions.map((e) => e.jobId))).to.deep.equal(new Set([first, second]));
        const cancelled = await t.scheduler.listExecutions({ jobType: type, statuses: [ExecutionStatus.CANCELLED] });
        expect(cancelled.executions.map((e) => e.id)).to.deep.equal([newest?.id]);
        const queued = await t.scheduler.listExecutions({ jobType: type, statuses: [ExecutionStatus.QUEUED] });
        expect(queued.executions).to.have.length(2);
      }),
      ok('page_size 0 means 50; 500, the maximum, is accepted; the pages join up', async (t) => {
        const jobId = await jobWithRuns(t, 51);
        const first = await t.scheduler.listExecutions({ jobId });
        expect(first.executions.map((e) => Number(e.number))).to.deep.equal(Array.from({ length: 50 }, (_, i) => 51 - i));
        const second = await t.scheduler.listExecutions({ jobId, pageToken: first.nextPageToken });
        expect(second.executions.map((e) => e.number)).to.deep.equal([1n]);
        expect(second.nextPageToken).to.equal('');
        expect((await t.scheduler.listExecutions({ jobId, pageSize: 500 })).executions).to.have.length(51);
      }),
      ...pagingCases.listExecutions,
      ...pageArgumentCases(
        async (t) => listRunsOf(await jobWithRuns(t, 2)),
        async (t) => (await t.scheduler.listJobs({ filter: { type: await typeWithJobs(t, 2) }, pageSize: 1 })).nextPageToken,
      ),
      fails('INVALID_ARGUMENT', 'an unspecified status is refused naming statuses[0]', async (t) => {
        await rejects(t.scheduler.listExecutions({ statuses: [ExecutionStatus.UNSPECIFIED] }), status.INVALID_ARGUMENT, /^statuses\[0\] /);
      }),
      fails('INVALID_ARGUMENT', 'a job_id that is not a UUID is refused naming job_id', async (t) => {
        await rejects(t.scheduler.listExecutions({ jobId: 'job-1' }), status.INVALID_ARGUMENT, /^job_id "job-1"/);
      }),
      ok('a job that has not run yet: an empty page, not NOT_FOUND', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: LATER });
        const { executions, nextPageToken } = await t.scheduler.listExecutions({ jobId: job.id });
        expect(executions).to.deep.equal([]);
        expect(nextPageToken).to.equal('');
      }),
      fails('NOT_FOUND', 'a job_id that names no job', async (t) => {
        const jobId = unknownId();
        await rejects(t.scheduler.listExecutions({ jobId }), status.NOT_FOUND, new RegExp(jobId));
      }),
    ],
  },
};
