import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { BatchCreateJobsRequestSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { JobSchema, JobView } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { CLIENT_MAX_RECEIVE_BYTES, framedBytes, JOB_FIELDS_ADDED_BYTES } from '../../../src/adapters/grpc/mapping/message-bytes.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createJobSchedulerClient, createWorkerClient, type JobSchedulerClient, type WorkerClient } from '../../../src/adapters/grpc/client/index.js';

/**
 * Pages whose items add up to more than the 4 MiB a gRPC client receives in one message by
 * default. Before, such a page failed on the client with RESOURCE_EXHAUSTED, and so did every
 * retry: with payloads or results this large, a job list could not be read at all through the
 * generated client (or grpcurl, or the CLI). Now the page is cut and the token reads on. A batch
 * of new jobs whose answer would not fit was created and then failed on the client; now it is
 * refused before anything is created.
 */
/** Never due while a test runs. */
const LATER = { kind: { case: 'once' as const, value: { at: { seconds: 4_000_000_000n } } } };

/**
 * 1,000 jobs of about 4.1 kB: the request fits in the 4 MiB the service receives, the full answer
 * (each job with its id, state and timestamps) would not fit in the 4 MiB a client receives.
 */
const nearlyFullBatch = (type: string) => Array.from({ length: 1000 }, (_, i) => ({ job: { name: `j${i}`, type, schedule: LATER, payload: { data: 'z'.repeat(4_080) } } }));

describe('gRPC: answers larger than a client receives at once', () => {
  let server: TestServer;
  // Clients at gRPC's default receive limit, as grpcurl and clients in other languages are (the
  // typed clients of this repository accept more).
  let scheduler: JobSchedulerClient;
  let worker: WorkerClient;
  before(async () => {
    server = await startTestServer();
    const options = { 'grpc.max_receive_message_length': CLIENT_MAX_RECEIVE_BYTES };
    scheduler = createJobSchedulerClient(server.address, undefined, options);
    worker = createWorkerClient(server.address, undefined, options);
  });
  after(async () => {
    scheduler.close();
    worker.close();
    await server.stop();
  });

  it('ListJobs cuts the page to what fits and the page token reads on to every job, once, in order', async () => {
    const type = `large-${randomUUID().slice(0, 8)}`;
    const created: string[] = [];
    // 30 payloads of 200 kB: 6 MB in one page of 30.
    for (let i = 0; i < 30; i += 1) {
      const { job } = await scheduler.createJob({ job: { name: `big ${i}`, type, schedule: LATER, payload: { i, data: 'x'.repeat(200_000) } } });
      created.push(job!.id);
    }
    const pages: number[] = [];
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await scheduler.listJobs({ filter: { type }, pageSize: 30, pageToken });
      expect(page.totalSize).to.equal(30n);
      pages.push(page.jobs.length);
      seen.push(...page.jobs.map((job) => job.id));
      expect(page.jobs.every((job) => (job.payload?.['data'] as string).length === 200_000)).to.equal(true);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(pages.length).to.be.greaterThan(1);
    expect(pages[0]).to.be.within(1, 29);
    // Newest first, as every page of ListJobs.
    expect(seen).to.deep.equal([...created].reverse());
  });

  it('ListExecutions cuts the page to what fits and the page token reads on to every execution', async () => {
    const type = `results-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 100; i += 1) await scheduler.createJob({ job: { name: `r ${i}`, type, schedule: { kind: { case: 'once', value: {} } } } });
    const { executions } = await worker.acquireExecutions({ workerId: 'w', jobTypes: [type], capacity: 100 });
    expect(executions).to.have.length(100);
    // 100 results of 60 kB (each under the 64 KiB a result may hold): 6 MB in one page of 100.
    for (const acquired of executions) {
      await worker.completeExecution({ executionId: acquired.execution!.id, leaseToken: acquired.leaseToken, result: { data: 'y'.repeat(60_000) } });
    }
    const pages: number[] = [];
    const seen = new Set<string>();
    let pageToken = '';
    do {
      const page = await scheduler.listExecutions({ jobType: type, pageSize: 100, pageToken });
      pages.push(page.executions.length);
      for (const execution of page.executions) {
        expect(seen.has(execution.id)).to.equal(false);
        seen.add(execution.id);
        expect((execution.result?.['data'] as string).length).to.equal(60_000);
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(pages.length).to.be.greaterThan(1);
    expect(seen.size).to.equal(100);
  });

  it('BatchCreateJobs refuses a batch it could not answer within 4 MiB before creating anything, and takes it in halves', async () => {
    const type = `batch-${randomUUID().slice(0, 8)}`;
    const requests = nearlyFullBatch(type);
    const requestBytes = toBinary(BatchCreateJobsRequestSchema, create(BatchCreateJobsRequestSchema, { requests }));
    expect(requestBytes.length).to.be.within(CLIENT_MAX_RECEIVE_BYTES - 100_000, CLIENT_MAX_RECEIVE_BYTES);
    const refused = await scheduler.batchCreateJobs({ requests }).then(
      () => undefined,
      (error: ServiceError) => error,
    );
    expect(refused?.code, refused?.details).to.equal(status.INVALID_ARGUMENT);
    expect(refused?.details).to.match(/^requests would be answered with about 4\.\d\d MiB of jobs .*: send these 1000 jobs in smaller batches, or with view JOB_VIEW_BASIC \(answered without payloads\); nothing was created$/);
    expect((await scheduler.listJobs({ filter: { type } })).totalSize).to.equal(0n);
    for (const half of [requests.slice(0, 500), requests.slice(500)]) expect((await scheduler.batchCreateJobs({ requests: half })).jobs).to.have.length(500);
    expect((await scheduler.listJobs({ filter: { type } })).totalSize).to.equal(1000n);
  });

  it('BatchCreateJobs with view BASIC takes the same batch in one call and answers without payloads', async () => {
    const type = `basic-${randomUUID().slice(0, 8)}`;
    const requests = nearlyFullBatch(type);
    const { jobs } = await scheduler.batchCreateJobs({ requests, view: JobView.BASIC });
    expect(jobs).to.have.length(1000);
    expect(jobs.map((job) => [job.name, job.payload])).to.deep.equal(requests.map((r) => [r.job.name, undefined]));
    // Stored with their payloads all the same.
    expect((await scheduler.getJob({ id: jobs[999]!.id })).job?.payload).to.deep.equal({ data: 'z'.repeat(4_080) });
  });

  it('ListJobs with view BASIC leaves the payloads out, so a page of large jobs is not cut', async () => {
    const type = `basic-list-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 30; i += 1) await scheduler.createJob({ job: { name: `big ${i}`, type, schedule: LATER, payload: { i, data: 'x'.repeat(200_000) } } });
    const page = await scheduler.listJobs({ filter: { type }, pageSize: 30, view: JobView.BASIC });
    expect([page.jobs.length, page.nextPageToken, page.totalSize]).to.deep.equal([30, '', 30n]);
    expect(page.jobs.map((job) => job.payload)).to.deep.equal(new Array(30).fill(undefined));
    // Everything else as the full view has it.
    const full = await scheduler.listJobs({ filter: { type }, pageSize: 1 });
    expect({ ...page.jobs[0], payload: full.jobs[0]?.payload }).to.deep.equal(full.jobs[0]);
  });

  /** trace_parent, set when tracing is on (off here): field 29's 2-byte tag, its length and 55 characters. */
  const TRACE_PARENT_BYTES = 58;

  it('what the service adds to a job it creates stays within the room BatchCreateJobs reserves for it', async () => {
    const type = `added-${randomUUID().slice(0, 8)}`;
    const { jobs: upstreams } = await scheduler.batchCreateJobs({ requests: Array.from({ length: 32 }, (_, i) => ({ job: { name: `up ${i}`, type, schedule: LATER } })) });
    const schedules: MessageInitShape<typeof JobSchema>['schedule'][] = [
      { kind: { case: 'once', value: {} } },
      LATER,
      { kind: { case: 'interval', value: { every: 5, unit: 2 } } },
      { kind: { case: 'cron', value: { expression: '*/5 * * * *' } } },
      { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: 'America/Argentina/ComodRivadavia' } } },
    ];
    const jobs: MessageInitShape<typeof JobSchema>[] = [
      ...schedules.map((schedule, i) => ({ name: `s${i}`, type, schedule })),
      // The 32 upstream jobs allowed, each dependency's condition left for the service to fill in.
      { name: 'downstream', type, schedule: { kind: { case: 'afterUpstream', value: {} } }, dependsOn: upstreams.map((upstream) => ({ jobId: upstream.id })) },
      { name: 'windows', type, schedule: { kind: { case: 'interval', value: { every: 1, unit: 1 } } }, executionWindows: { timeZone: 'America/Argentina/ComodRivadavia', windows: [{ days: [1], start: '09:00', end: '17:00' }] } },
    ];
    for (const job of jobs) {
      const sent = create(JobSchema, job);
      const { job: answered } = await scheduler.createJob({ job: sent });
      const added = framedBytes(JobSchema, answered!) - framedBytes(JobSchema, sent);
      expect(added + TRACE_PARENT_BYTES, job.name).to.be.within(1, JOB_FIELDS_ADDED_BYTES);
    }
  });
});
