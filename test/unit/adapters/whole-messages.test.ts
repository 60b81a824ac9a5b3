import { create, equals, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { executionMessage } from '../../../src/adapters/grpc/mapping/execution-message.js';
import { jobMessage } from '../../../src/adapters/grpc/mapping/job-message.js';
import { ExecutionSchema } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobSchema } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { executionWindows } from '../../../src/domain/window/execution-windows.js';
import { executionOf, jobInState, newJob, T0 } from '../../integration/persistence/support/builders.js';

/**
 * jobMessage and executionMessage build whole messages (so create() passes them through instead
 * of walking the schema): each must be the message create() would make of it, every field of the
 * schema present, and read back from its bytes as it was.
 */
function expectWhole<D extends DescMessage>(schema: D, message: Parameters<typeof toBinary<D>>[1], label: string): void {
  expect(Object.keys(message), label).to.include.members(Object.keys(create(schema)));
  expect(equals(schema, message, fromBinary(schema, toBinary(schema, message))), label).to.equal(true);
  expect(equals(schema, message, create(schema, message as never)), label).to.equal(true);
}

describe('whole wire messages', () => {
  const windows = executionWindows({ timeZone: 'Europe/Berlin', windows: [{ days: [1, 2, 3], start: '09:00', end: '17:30' }], outside: 'skip', atEnd: 'cancel' }, 'job.execution_windows');
  const jobs = [
    ...(['pending', 'scheduled', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const).map((state) => [state, jobInState(state)] as const),
    ['cron with everything', newJob({ schedule: { kind: 'cron', expression: '*/5 * * * *', timeZone: 'Asia/Tokyo' }, description: 'all fields', payload: { url: 'https://example.org', depth: 2, tags: ['a'] }, retryPolicy: { maxRetries: 0 }, attemptTimeoutMs: 90_000, priority: 7, labels: { team: 'crawl', tier: 'gold' }, pauseAfterConsecutiveFailures: 3, expectSuccessWithinMs: 3_600_000, executionWindows: windows, dependsOn: [{ jobId: '00000000-0000-4000-8000-000000000001', condition: 'failure' }] })] as const,
    ['once at a time', newJob({ schedule: { kind: 'once', at: new Date(T0.getTime() + 60_000) } })] as const,
    ['interval with an anchor', newJob({ schedule: { kind: 'interval', every: 2, unit: 'hours', anchor: T0 } })] as const,
    ['after its upstream jobs', newJob({ schedule: { kind: 'after_upstream' }, dependsOn: [{ jobId: '00000000-0000-4000-8000-000000000002' }] })] as const,
  ];

  for (const [label, job] of jobs) {
    it(`a job (${label})`, () => expectWhole(JobSchema, jobMessage(job), label));
  }

  for (const status of ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'lost'] as const) {
    it(`an execution (${status})`, () => expectWhole(ExecutionSchema, executionMessage(executionOf(jobInState('scheduled'), { number: 1, status })), status));
  }
});
