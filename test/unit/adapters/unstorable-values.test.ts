import { create } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { unstorableValueAt } from '../../../src/adapters/grpc/mapping/unstorable-values.js';
import { CreateJobRequestSchema, ListJobsRequestSchema, UpdateJobRequestSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { ReportOutcomesRequestSchema } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';

const once = { kind: { case: 'once' as const, value: {} } };
const NUL_REFUSAL = / contains the NUL character \(U\+0000\), which cannot be stored; remove it$/;

/** The place unstorableValueAt names for a NUL character, or undefined. */
function nulAt(...args: Parameters<typeof unstorableValueAt>): string | undefined {
  const refusal = unstorableValueAt(...args);
  if (refusal !== undefined) expect(refusal).to.match(NUL_REFUSAL);
  return refusal?.replace(NUL_REFUSAL, '');
}

describe('requests holding the NUL character (which PostgreSQL cannot store)', () => {
  it('finds none in an ordinary request', () => {
    const request = create(CreateJobRequestSchema, { job: { name: 'n', type: 't', schedule: once, labels: { team: 'search' }, payload: { a: [1, 'two', { three: null }] } }, requestId: 'r' });
    expect(nulAt(CreateJobRequestSchema, request)).to.equal(undefined);
  });

  it('names the field as it sits in the request: fields, map keys and values, oneofs, Struct keys and values, lists', () => {
    const at = (job: Record<string, unknown>) => nulAt(CreateJobRequestSchema, create(CreateJobRequestSchema, { job: { name: 'n', type: 't', schedule: once, ...job } }));
    expect(at({ name: 'a\u0000b' })).to.equal('job.name');
    expect(at({ labels: { 'a\u0000': 'v' } })).to.equal('job.labels["a\\\\0"]');
    expect(at({ labels: { team: '\u0000' } })).to.equal('job.labels["team"]');
    expect(at({ schedule: { kind: { case: 'cron', value: { expression: '* * * * *', timeZone: 'UTC\u0000' } } } })).to.equal('job.schedule.cron.time_zone');
    expect(at({ payload: { a: { b: ['x', 'y\u0000'] } } })).to.equal('job.payload["a"]["b"][1]');
    expect(at({ payload: { a: { '\u0000': 1 } } })).to.equal('job.payload["a"]["\\\\0"]');
    expect(nulAt(ListJobsRequestSchema, create(ListJobsRequestSchema, { filter: { type: '\u0000' } }))).to.equal('filter.type');
    expect(nulAt(UpdateJobRequestSchema, create(UpdateJobRequestSchema, { job: { id: 'x' }, updateMask: { paths: ['name', '\u0000'] } }))).to.equal('update_mask.paths[1]');
    const outcomes = create(ReportOutcomesRequestSchema, {
      workerId: 'w',
      outcomes: [
        { executionId: 'e', leaseToken: 't', outcome: { case: 'success', value: { result: { ok: true } } } },
        { executionId: 'e', leaseToken: 't', outcome: { case: 'failure', value: { errorMessage: 'boom', errorDetails: { why: 'a\u0000' } } } },
      ],
    });
    expect(nulAt(ReportOutcomesRequestSchema, outcomes)).to.equal('outcomes[1].failure.error_details["why"]');
  });

  it('walks a Struct nested far deeper than the stack allows for recursion', () => {
    let payload: Record<string, unknown> = { leaf: '\u0000' };
    for (let i = 0; i < 100_000; i += 1) payload = { a: payload };
    const request = { $typeName: 'jobscheduler.v1.CreateJobRequest', job: { $typeName: 'jobscheduler.v1.Job', payload }, requestId: '' };
    expect(nulAt(CreateJobRequestSchema, request)).to.match(/^job\.payload\["a"\]\["a"\].*\["leaf"\]$/);
  });
});

describe('requests holding NaN or Infinity in a Struct (JSON has neither)', () => {
  const payload = (value: unknown) => create(CreateJobRequestSchema, { job: { name: 'n', type: 't', schedule: once, payload: { a: { b: value } } as never } });

  it('names the place and the value, wherever a Struct holds it', () => {
    expect(unstorableValueAt(CreateJobRequestSchema, payload(Number.NaN))).to.equal('job.payload["a"]["b"] is NaN; JSON has no NaN or Infinity');
    expect(unstorableValueAt(CreateJobRequestSchema, payload([1, Number.POSITIVE_INFINITY]))).to.equal('job.payload["a"]["b"][1] is Infinity; JSON has no NaN or Infinity');
    const outcomes = create(ReportOutcomesRequestSchema, {
      workerId: 'w',
      outcomes: [
        { executionId: 'e', leaseToken: 't', outcome: { case: 'success', value: { result: { ok: 1 } } } },
        { executionId: 'e', leaseToken: 't', outcome: { case: 'failure', value: { errorMessage: 'boom', errorDetails: { ratio: Number.NEGATIVE_INFINITY } } } },
      ],
    });
    expect(unstorableValueAt(ReportOutcomesRequestSchema, outcomes)).to.equal('outcomes[1].failure.error_details["ratio"] is -Infinity; JSON has no NaN or Infinity');
  });

  it('accepts every finite number, and leaves numbers outside Structs to the field checks', () => {
    expect(unstorableValueAt(CreateJobRequestSchema, payload([0, -0, 1.5e308, -Number.MAX_VALUE, Number.MIN_VALUE]))).to.equal(undefined);
    const policy = create(CreateJobRequestSchema, { job: { name: 'n', type: 't', schedule: once, retryPolicy: { multiplier: Number.NaN } } });
    expect(unstorableValueAt(CreateJobRequestSchema, policy)).to.equal(undefined);
  });
});
