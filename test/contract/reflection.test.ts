import { expect } from 'chai';
import { bufCurl } from '../support/buf-curl.js';
import { eventually } from '../support/eventually.js';
import { uniqueType } from './support/helpers.js';
import { contractTarget, type Target } from './support/target.js';

const SERVICE = 'jobscheduler.v1.JobSchedulerService';

/** The parts of the JSON answers these tests read (protobuf JSON: int64 as strings, enums by name). */
interface JsonJob {
  id: string;
  state: string;
  createdAt: string;
  [field: string]: unknown;
}
interface JsonExecutions {
  executions: Record<string, unknown>[];
  nextPageToken?: string;
}

/** One unary call through `buf curl` (reflection only, JSON in and out); fails with buf's stderr if the call fails. */
async function call<T>(target: Target, method: string, body: unknown): Promise<T> {
  const { stdout, stderr, ok } = await bufCurl(target.address, `${SERVICE}/${method}`, body);
  expect(ok, `${method} failed: ${stderr}`).to.equal(true);
  return JSON.parse(stdout) as T;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('contract: the API through server reflection and JSON only (buf curl, as a grpcurl user)', function () {
  this.timeout(60_000);
  let target: Target;
  before(async () => {
    target = await contractTarget();
  });

  it('CreateJob, GetJob and ListExecutions with JSON bodies: lowerCamelCase fields, enum names, durations, RFC 3339 times, int64 as strings', async () => {
    const type = uniqueType();
    const created = await call<{ job: JsonJob }>(target, 'CreateJob', {
      requestId: `curl-${type}`,
      job: {
        name: 'through buf curl',
        type,
        payload: { url: 'https://example.com', depth: 2 },
        schedule: { once: {} },
        retryPolicy: { maxRetries: 1, initialBackoff: '5s' },
        attemptTimeout: '90s',
        overlapPolicy: 'OVERLAP_POLICY_ALLOW',
        labels: { via: 'buf-curl' },
      },
    });
    const job = created.job;
    expect(job).to.include({ name: 'through buf curl', type, state: 'JOB_STATE_RUNNING', version: '1', attemptTimeout: '90s', overlapPolicy: 'OVERLAP_POLICY_ALLOW' });
    expect(job.payload).to.deep.equal({ url: 'https://example.com', depth: 2 });
    expect(job.retryPolicy).to.deep.equal({ maxRetries: 1, initialBackoff: '5s', maxBackoff: '3600s', multiplier: 2 });
    expect(job.labels).to.deep.equal({ via: 'buf-curl' });
    expect(job.createdAt).to.match(RFC3339);
    expect(job.schedule).to.deep.equal({ once: {} });

    const read = await call<{ job: JsonJob }>(target, 'GetJob', { id: job.id });
    expect(read.job).to.include({ id: job.id, name: 'through buf curl', createdAt: job.createdAt });
    expect(read.job.state).to.equal('JOB_STATE_RUNNING');

    const listed = await eventually(async () => {
      const page = await call<JsonExecutions>(target, 'ListExecutions', { jobId: job.id, statuses: ['EXECUTION_STATUS_QUEUED'], pageSize: 10 });
      expect(page.executions).to.have.length(1);
      return page;
    }, 10_000);
    const execution = listed.executions[0];
    expect(execution).to.include({ jobId: job.id, jobType: type, number: '1', attempt: 1, status: 'EXECUTION_STATUS_QUEUED', trigger: 'EXECUTION_TRIGGER_SCHEDULE' });
    expect(execution?.queuedAt).to.match(RFC3339);
    expect(listed).to.not.have.property('nextPageToken');
  });

  it('errors arrive as a status code and a message naming the field', async () => {
    const { stderr, ok } = await bufCurl(target.address, `${SERVICE}/CreateJob`, { job: { name: 'n', type: uniqueType(), schedule: { cron: { expression: '0 25 * * *' } } } });
    expect(ok).to.equal(false);
    const error = JSON.parse(stderr) as { code: string; message: string };
    expect(error.code).to.equal('invalid_argument');
    expect(error.message).to.match(/^job\.schedule\.cron\.expression /);
    const missing = await bufCurl(target.address, `${SERVICE}/GetJob`, { id: '00000000-0000-4000-8000-000000000000' });
    expect(JSON.parse(missing.stderr)).to.deep.include({ code: 'not_found' });
  });
});
