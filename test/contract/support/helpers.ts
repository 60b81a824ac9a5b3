import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { durationFromMs, timestampDate, timestampFromDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus, type Execution } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState, type Job, type JobSchema } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { IntervalUnit, type Schedule } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import type { AcquiredExecution } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { eventually } from '../../support/eventually.js';
import { fails, type ContractCase } from './contract.js';
import { createdTypes, type Target } from './target.js';

export { status };
/** A job as a plain object (the message form left out, so Partial and spreads work). */
export type JobInit = Exclude<MessageInitShape<typeof JobSchema>, Job>;
export type ScheduleInit = Exclude<NonNullable<JobInit['schedule']>, Schedule>;

/** A job type no other test (and nothing else on a shared server) uses, so its jobs are this test's alone. */
export function uniqueType(): string {
  const type = `contract.${randomBytes(6).toString('hex')}`;
  createdTypes.add(type);
  return type;
}

/** A well-formed id that names nothing. */
export const unknownId = (): string => randomUUID();

/** The worker id the contract cases acquire under. */
export const WORKER = 'contract-worker';

/** An execution status by its enum name, as assertion messages read best. */
export const statusName = (s: ExecutionStatus | undefined) => ExecutionStatus[s ?? 0];

/** Awaits a call that must fail with `code`, checks that the message says what it should, and returns the error. */
export async function rejects(call: Promise<unknown>, code: status, message?: RegExp): Promise<ServiceError> {
  const outcome = await call.then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) expect.fail(`expected ${status[code]}, but the call succeeded`);
  const error = outcome.error as ServiceError;
  expect(status[error.code], `${status[error.code]}: ${error.details}`).to.equal(status[code]);
  if (message) expect(error.details).to.match(message);
  return error;
}

/** Fires as soon as the job is created. */
export const NOW: ScheduleInit = { kind: { case: 'once', value: {} } };
/** Does not fire during the test (nor for decades). */
export const LATER_AT = new Date('2099-01-01T00:00:00Z');
export const LATER: ScheduleInit = { kind: { case: 'once', value: { at: timestampFromDate(LATER_AT) } } };
/** The last google.protobuf.Timestamp, 9999-12-31T23:59:59.999999999Z: valid on the wire, past what the service supports. */
export const LAST_TIMESTAMP: Timestamp = { $typeName: 'google.protobuf.Timestamp', seconds: 253_402_300_799n, nanos: 999_999_999 };
/** How the service refuses an instant outside 0001-01-02T00:00:00Z … 9999-12-30T23:59:59.999Z, after the field's name. */
export const UNSUPPORTED_INSTANT = / must be from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59\.999Z, got /;
export const hourly = (anchor?: Date): ScheduleInit => ({ kind: { case: 'interval', value: { every: 1, unit: IntervalUnit.HOURS, ...(anchor ? { anchor: timestampFromDate(anchor) } : {}) } } });

export async function createJob(target: Target, job: JobInit & { type: string }): Promise<Job> {
  const { job: created } = await target.scheduler.createJob({ job: { name: 'contract test', schedule: LATER, ...job } });
  expect(created, 'CreateJob returned no job').to.not.equal(undefined);
  return created as Job;
}

export async function getJob(target: Target, id: string): Promise<Job> {
  return (await target.scheduler.getJob({ id })).job as Job;
}

/** Every job of a type, newest first (all pages). */
export async function jobsOfType(target: Target, type: string): Promise<Job[]> {
  const jobs: Job[] = [];
  let pageToken = '';
  do {
    const page = await target.scheduler.listJobs({ filter: { type }, pageSize: 500, pageToken });
    jobs.push(...page.jobs);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return jobs;
}

/** A job's executions, newest first. */
export async function executionsOf(target: Target, jobId: string): Promise<Execution[]> {
  return (await target.scheduler.listExecutions({ jobId, pageSize: 500 })).executions;
}

/** Waits (real time, briefly) until the job has an execution matching `wanted`, and returns it. */
export function executionOf(target: Target, jobId: string, wanted: (execution: Execution) => boolean = () => true): Promise<Execution> {
  return eventually(async () => {
    const found = (await executionsOf(target, jobId)).find(wanted);
    expect(found, `no matching execution of job ${jobId} yet`).to.not.equal(undefined);
    return found as Execution;
  });
}

export function stateOf(target: Target, id: string, state: JobState): Promise<Job> {
  return eventually(async () => {
    const job = await getJob(target, id);
    expect(JobState[job.state]).to.equal(JobState[state]);
    return job;
  });
}

/** Acquires the one execution of a type that is (or is about to be) queued, under a lease. */
export async function acquireOne(target: Target, type: string, leaseMs?: number): Promise<AcquiredExecution> {
  const { executions } = await target.worker.acquireExecutions({
    workerId: WORKER,
    jobTypes: [type],
    capacity: 1,
    wait: durationFromMs(5_000),
    ...(leaseMs ? { leaseDuration: durationFromMs(leaseMs) } : {}),
  });
  expect(executions, `nothing of type ${type} to acquire`).to.have.length(1);
  return executions[0] as AcquiredExecution;
}

/** A one-shot job that fires at once, acquired by a worker: the job is RUNNING, its execution RUNNING. */
export async function runningJob(target: Target, job: JobInit = {}): Promise<{ job: Job; acquired: AcquiredExecution; type: string }> {
  const type = uniqueType();
  const created = await createJob(target, { ...job, type, schedule: NOW });
  return { job: created, acquired: await acquireOne(target, type), type };
}

/** A one-shot job whose only run succeeded (COMPLETED). */
export async function completedJob(target: Target): Promise<Job> {
  const { job, acquired } = await runningJob(target);
  await target.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
  return stateOf(target, job.id, JobState.COMPLETED);
}

/** A one-shot job whose only attempt failed without retries (FAILED). */
export async function failedJob(target: Target): Promise<Job> {
  const { job, acquired } = await runningJob(target, { retryPolicy: { maxRetries: 0 } });
  await target.worker.failExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken, errorMessage: 'contract failure', retryable: false });
  return stateOf(target, job.id, JobState.FAILED);
}

/**
 * A recurring job (hourly, next fire an hour away) whose last `limit` occurrences failed, run by
 * RunJob, with pause_after_consecutive_failures = `limit`: the service has paused it.
 */
export async function autoPausedJob(target: Target, limit = 2): Promise<Job> {
  const type = uniqueType();
  const job = await createJob(target, { type, schedule: hourly(), retryPolicy: { maxRetries: 0 }, pauseAfterConsecutiveFailures: limit });
  for (let i = 0; i < limit; i += 1) {
    await target.scheduler.runJob({ id: job.id });
    const acquired = await acquireOne(target, type);
    await target.worker.failExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken, errorMessage: `failure ${i + 1}` });
  }
  return stateOf(target, job.id, JobState.PAUSED);
}

export const ms = (timestamp: Timestamp | undefined): number => (timestamp ? timestampDate(timestamp).getTime() : Number.NaN);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The names of enum values, for readable assertions ("PAUSED" rather than 4). */
export const stateName = (state: JobState): string => JobState[state];

/**
 * The argument cases every RPC that names one row by id shares: a missing id and a malformed one
 * are INVALID_ARGUMENT naming the field, a well-formed id of nothing is NOT_FOUND.
 */
export function idCases(field: string, call: (target: Target, id: string) => Promise<unknown>): ContractCase[] {
  const a = /^[aeiou]/.test(field) ? 'an' : 'a';
  return [
    fails('INVALID_ARGUMENT', `a missing ${field} is refused naming ${field}`, (t) => rejects(call(t, ''), status.INVALID_ARGUMENT, new RegExp(`^${escape(field)} is required`)).then(() => undefined)),
    fails('INVALID_ARGUMENT', `${a} ${field} that is not a UUID is refused naming ${field}`, (t) =>
      rejects(call(t, 'not-a-uuid'), status.INVALID_ARGUMENT, new RegExp(`^${escape(field)} "not-a-uuid" is not a valid id`)).then(() => undefined),
    ),
    fails('NOT_FOUND', `${a} ${field} that names nothing`, async (t) => {
      const id = unknownId();
      await rejects(call(t, id), status.NOT_FOUND, new RegExp(`${id} does not exist`));
    }),
  ];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
