import type { MessageInitShape } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Execution, ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import type { Job, JobSchema } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { AcquiredExecution } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import type { TestDatabase } from '../../support/test-database.js';

export const TYPE = 'engine.test';
export const MINUTE = 60_000;

/**
 * A server on a fake clock whose dispatcher and reaper run only when the test calls tick(), so
 * every step is deterministic. (Tests that exercise the background loops turn them on.)
 */
export async function engineServer(clock: FakeClock, database?: TestDatabase, env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({ clock, ...(database ? { database } : {}), env: { SCHEDULER_ENABLED: 'false', POLL_INTERVAL: '1s', REAPER_INTERVAL: '1s', ...env } });
}

export function newClock(): FakeClock {
  return new FakeClock('2026-03-02T08:00:00Z');
}

type JobInit = MessageInitShape<typeof JobSchema>;

export const once = (at?: Date): JobInit['schedule'] => ({ kind: { case: 'once', value: at ? { at: timestampFromDate(at) } : {} } });
export const everyMinutes = (every: number, anchor?: Date): JobInit['schedule'] => ({
  kind: { case: 'interval', value: { every, unit: 1, ...(anchor ? { anchor: timestampFromDate(anchor) } : {}) } },
});
export const cron = (expression: string, timeZone = 'UTC'): JobInit['schedule'] => ({ kind: { case: 'cron', value: { expression, timeZone } } });

/** Job fields as plain values (schedule, policies, …); name and type default to the test's. */
export async function createJob(server: TestServer, job: Record<string, unknown>): Promise<Job> {
  const { job: created } = await server.scheduler.createJob({ job: { name: 'engine test', type: TYPE, ...job } as JobInit });
  return created as Job;
}

export async function acquire(server: TestServer, capacity = 10, leaseMs?: number): Promise<AcquiredExecution[]> {
  const { executions } = await server.worker.acquireExecutions({
    workerId: 'test-worker',
    jobTypes: [TYPE],
    capacity,
    ...(leaseMs ? { leaseDuration: durationFromMs(leaseMs) } : {}),
  });
  return executions;
}

export async function complete(server: TestServer, acquired: AcquiredExecution): Promise<void> {
  await server.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
}

export async function fail(server: TestServer, acquired: AcquiredExecution, retryable = true) {
  return server.worker.failExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken, errorMessage: 'boom', retryable });
}

/** Every execution of a job, oldest first. */
export async function executionsOf(server: TestServer, jobId: string): Promise<Execution[]> {
  const { executions } = await server.scheduler.listExecutions({ jobId, pageSize: 500 });
  return [...executions].reverse();
}

export async function jobOf(server: TestServer, id: string): Promise<Job> {
  return (await server.scheduler.getJob({ id })).job as Job;
}

export function statuses(executions: readonly Execution[]): ExecutionStatus[] {
  return executions.map((e) => e.status);
}

export function isoOf(timestamp: { seconds: bigint; nanos: number } | undefined): string | undefined {
  return timestamp ? new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString() : undefined;
}

/** Moves the fake clock and runs a dispatcher and a reaper pass at the new time. */
export async function tick(server: TestServer, clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await server.useCases.dispatch.runUntilIdle();
  await server.useCases.rescue.runOnce();
}
