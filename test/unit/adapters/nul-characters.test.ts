import { create } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { nulCharacterAt } from '../../../src/adapters/grpc/mapping/nul-characters.js';
import { CreateJobRequestSchema, ListJobsRequestSchema, UpdateJobRequestSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { ReportOutcomesRequestSchema } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';

const once = { kind: { case: 'once' as const, value: {} } };

describe('requests holding the NUL character (which PostgreSQL cannot store)', () => {
  it('finds none in an ordinary request', () => {
    const request = create(CreateJobRequestSchema, { job: { name: 'n', type: 't', schedule: once, labels: { team: 'search' }, payload: { a: [1, 'two', { three: null }] } }, requestId: 'r' });
    expect(nulCharacterAt(CreateJobRequestSchema, request)).to.equal(undefined);
  });

  it('names the field as it sits in the request: fields, map keys and values, oneofs, Struct keys and values, lists', () => {
    const at = (job: Record<string, unknown>) => nulCharacterAt(CreateJobRequestSchema, create(CreateJobRequestSchema, { job: { name: 'n', type: 't', schedule: once, ...job } }));
    expect(at({ name: 'a\u0000b' })).to.equal('job.name');
    expect(at({ labels: { 'a\u0000': 'v' } })).to.equal('job.labels["a\\\\0"]');
    expect(at({ labels: { team: '\u0000' } })).to.equal('job.labels["team"]');
    expect(at({ schedule: { kind: { case: 'cron', value: { expression: '* * * * *', timeZone: 'UTC\u0000' } } } })).to.equal('job.schedule.cron.time_zone');
    expect(at({ payload: { a: { b: ['x', 'y\u0000'] } } })).to.equal('job.payload["a"]["b"][1]');
    expect(at({ payload: { a: { '\u0000': 1 } } })).to.equal('job.payload["a"]["\\\\0"]');
    expect(nulCharacterAt(ListJobsRequestSchema, create(ListJobsRequestSchema, { filter: { type: '\u0000' } }))).to.equal('filter.type');
    expect(nulCharacterAt(UpdateJobRequestSchema, create(UpdateJobRequestSchema, { job: { id: 'x' }, updateMask: { paths: ['name', '\u0000'] } }))).to.equal('update_mask.paths[1]');
    const outcomes = create(ReportOutcomesRequestSchema, {
      workerId: 'w',
      outcomes: [
        { executionId: 'e', leaseToken: 't', outcome: { case: 'success', value: { result: { ok: true } } } },
        { executionId: 'e', leaseToken: 't', outcome: { case: 'failure', value: { errorMessage: 'boom', errorDetails: { why: 'a\u0000' } } } },
      ],
    });
    expect(nulCharacterAt(ReportOutcomesRequestSchema, outcomes)).to.equal('outcomes[1].failure.error_details["why"]');
  });

  it('walks a Struct nested far deeper than the stack allows for recursion', () => {
    let payload: Record<string, unknown> = { leaf: '\u0000' };
    for (let i = 0; i < 100_000; i += 1) payload = { a: payload };
    const request = { $typeName: 'jobscheduler.v1.CreateJobRequest', job: { $typeName: 'jobscheduler.v1.Job', payload }, requestId: '' };
    expect(nulCharacterAt(CreateJobRequestSchema, request)).to.match(/^job\.payload\["a"\]\["a"\].*\["leaf"\]$/);
  });
});
