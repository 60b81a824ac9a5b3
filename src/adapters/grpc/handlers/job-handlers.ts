import { createHash } from 'node:crypto';
import type { CreateJobs } from '../../../application/jobs/create-jobs.js';
import type { ControlJob, ControlResult } from '../../../application/jobs/control-job.js';
import type { JobQueries } from '../../../application/queries/job-queries.js';
import type { JobFilter } from '../../../application/ports/job-store.js';
import { DomainError } from '../../../domain/errors.js';
import { jobDefinition, type DefinitionLimits } from '../../../domain/job/job-definition.js';
import { ListJobsResponseSchema, type CreateJobRequest, type JobFilter as WireJobFilter, type JobSchedulerService } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { JobSchema } from '../../../gen/jobscheduler/v1/job_pb.js';
import { CLIENT_MAX_RECEIVE_BYTES, continuesAfter, framedBytes, JOB_FIELDS_ADDED_BYTES, pageWithin } from '../mapping/message-bytes.js';
import { executionMessage } from '../mapping/execution-message.js';
import { definitionInput, jobMessage, stateFromWire, viewFromWire, type JobViewName } from '../mapping/job-message.js';
import { decodePageToken, encodePageToken, isTimeMs, pageSize, positionField } from '../mapping/page-token.js';
import { isUuid, requireId, withinField } from '../mapping/wire-values.js';
import { characterCount } from '../../../domain/text.js';
import type { ServiceHandlers } from '../service-binding.js';

type Handlers = ServiceHandlers<typeof JobSchedulerService>;

export interface JobUseCases {
  create: CreateJobs;
  control: ControlJob;
  queries: JobQueries;
  limits: DefinitionLimits;
}

const MAX_BATCH = 1000;

/** The job RPCs of JobSchedulerService: create, read, list and the single-job controls. */
export function jobHandlers(useCases: JobUseCases): Pick<Handlers, 'createJob' | 'batchCreateJobs' | 'getJob' | 'listJobs' | 'pauseJob' | 'resumeJob' | 'cancelJob' | 'retryJob' | 'runJob'> {
  // Messages name the field from the top of the request: "job.schedule…" for CreateJob,
  // "requests[3].job.schedule…" for BatchCreateJobs (its contract names the invalid job's index).
  const command = (request: CreateJobRequest, prefix: string) =>
    withinField(prefix, ['job', 'request_id'], () => {
      const definition = withinField('job.', ['retry_policy'], () => jobDefinition(definitionInput(request.job, 'job'), useCases.limits));
      const requestIdLength = characterCount(request.requestId);
      if (requestIdLength > 128) throw DomainError.invalidArgument(`request_id must be at most 128 characters, got ${requestIdLength}`);
      return { definition, idempotency: request.requestId ? { requestId: request.requestId, fingerprint: fingerprint(definition) } : undefined, field: `${prefix}job` };
    });
  const control = (result: ControlResult) => ({ job: jobMessage(result.job), ...(result.execution ? { execution: executionMessage(result.execution) } : {}) });

  return {
    async createJob(request) {
      const [job] = await useCases.create.execute([command(request, '')]);
      return { job: jobMessage(job as NonNullable<typeof job>) };
    },

    async batchCreateJobs(request, context) {
      if (request.requests.length < 1 || request.requests.length > MAX_BATCH) throw DomainError.invalidArgument(`requests must hold 1 to ${MAX_BATCH} jobs, got ${request.requests.length}`);
      const view = viewFromWire('view', request.view);
      const commands = request.requests.map((r, i) => command(r, `requests[${i}].`));
      requireAnswerWithin(request.requests, context.requestBytes, view);
      return { jobs: (await useCases.create.execute(commands)).map((job) => jobMessage(job, view)) };
    },

    async getJob(request) {
      return { job: jobMessage(await useCases.queries.job(requireId('id', request.id))) };
    },

    async listJobs(request) {
      const filter = jobFilter(request.filter);
      const limit = pageSize(request.pageSize);
      const position = decodePageToken(request.pageToken, filter);
      const after = position && { createdAt: new Date(positionField(position, 'c', isTimeMs)), id: positionField(position, 'i', isUuid) };
      const view = viewFromWire('view', request.view);
      const page = view === 'full' ? await useCases.queries.jobs(filter, after, limit) : await useCases.queries.jobsWithoutPayload(filter, after, limit);
      const jobs = page.jobs.map((job) => jobMessage(job, view));
      const tokenAfter = (job: { createdAt: Date; id: string } | undefined) => (job ? encodePageToken({ c: job.createdAt.getTime(), i: job.id }, filter) : '');
      return pageWithin(ListJobsResponseSchema, JobSchema, jobs, (count) => ({
        jobs: jobs.slice(0, count),
        nextPageToken: tokenAfter(continuesAfter(page.jobs, count, page.next)),
        totalSize: BigInt(page.total),
      }));
    },

    pauseJob: async (request) => control(await useCases.control.pause(requireId('id', request.id))),
    resumeJob: async (request) => control(await useCases.control.resume(requireId('id', request.id))),
    cancelJob: async (request) => control(await useCases.control.cancel(requireId('id', request.id), reason(request.reason))),
    retryJob: async (request) => control(await useCases.control.retry(requireId('id', request.id))),
    runJob: async (request) => control(await useCases.control.runNow(requireId('id', request.id))),
  };
}

/**
 * BatchCreateJobs answers with every job it created, payloads included, and each job comes back
 * a little larger than it was sent. A batch just under the 4 MiB the service receives would be
 * answered with more than the 4 MiB a client receives: the jobs would be created and the call still
 * fail (RESOURCE_EXHAUSTED on the client), and a retry without request ids would create them
 * again. So a batch whose answer may not fit is refused before anything is created.
 *
 * The jobs as sent are part of the request, and protobuf encoders write a job no shorter than
 * the service writes it back (the service adds at most the room reserved per job), so a request
 * received in binary that fits with that room needs no measuring. Only a hand-made encoding
 * shorter than the canonical one (a map entry without its value) could slip past, and only to
 * its own sender's harm. JSON, and requests without that room, are measured job by job, without
 * their payloads when the answer leaves them out (view BASIC).
 */
function requireAnswerWithin(requests: readonly CreateJobRequest[], requestBytes: number | undefined, view: JobViewName): void {
  if (requestBytes !== undefined && requestBytes + requests.length * JOB_FIELDS_ADDED_BYTES <= CLIENT_MAX_RECEIVE_BYTES) return;
  let bytes = 0;
  for (const { job } of requests) bytes += (job ? framedBytes(JobSchema, view === 'full' ? job : { ...job, payload: undefined }) : 2) + JOB_FIELDS_ADDED_BYTES;
  if (bytes <= CLIENT_MAX_RECEIVE_BYTES) return;
  const [what, orBasic] = view === 'full' ? [' (their payloads included)', ', or with view JOB_VIEW_BASIC (answered without payloads)'] : ['', ''];
  throw DomainError.invalidArgument(
    `requests would be answered with about ${mebibytes(bytes)} of jobs${what}, more than the 4 MiB a gRPC client receives by default: send these ${requests.length} jobs in smaller batches${orBasic}; nothing was created`,
  );
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

export function jobFilter(filter: WireJobFilter | undefined, field = 'filter'): JobFilter {
  if (!filter) return {};
  return {
    states: filter.states.map((state, i) => stateFromWire(`${field}.states[${i}]`, state)),
    ...(filter.type ? { type: filter.type } : {}),
    ...(Object.keys(filter.labels).length > 0 ? { labels: filter.labels } : {}),
    ...(filter.nameContains ? { nameContains: nameContains(`${field}.name_contains`, filter.nameContains) } : {}),
  };
}

/** Longer than any name a search could usefully match; it also bounds the LIKE pattern the database runs. */
const MAX_NAME_SEARCH = 200;

function nameContains(field: string, text: string): string {
  const length = characterCount(text);
  if (length > MAX_NAME_SEARCH) throw DomainError.invalidArgument(`${field} must be at most ${MAX_NAME_SEARCH} characters, got ${length}`);
  return text;
}

export function reason(text: string): string {
  const length = characterCount(text);
  if (length > 1000) throw DomainError.invalidArgument(`reason must be at most 1000 characters, got ${length}`);
  return text;
}

/** A digest of what a CreateJob asked for, key order aside, to recognise a repeated request. */
function fingerprint(definition: object): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
