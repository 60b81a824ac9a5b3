import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { responsesOf } from '../../../src/adapters/grpc/handlers/work-stream.js';
import { pageWithin, runsWithin } from '../../../src/adapters/grpc/mapping/message-bytes.js';
import { executionMessage } from '../../../src/adapters/grpc/mapping/execution-message.js';
import { ExecutionSchema } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { ListExecutionsResponseSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import type { WorkDelivery } from '../../../src/application/worker/work-session.js';
import { WorkResponseSchema } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { executionOf, newJob } from '../../integration/persistence/support/builders.js';

describe('messages within a client receive limit', () => {
  describe('runsWithin', () => {
    const sizes = (runs: number[][]) => runs.map((run) => run.reduce((a, b) => a + b, 0));

    it('keeps everything in one run when it fits', () => {
      expect(runsWithin([1, 2, 3], (n) => n, 6)).to.deep.equal([[1, 2, 3]]);
    });

    it('starts a new run where the next item would pass the limit, keeping the order', () => {
      const runs = runsWithin([4, 3, 2, 5, 1, 1], (n) => n, 6);
      expect(runs).to.deep.equal([[4], [3, 2], [5, 1], [1]]);
      expect(Math.max(...sizes(runs))).to.be.at.most(6);
    });

    it('counts what the first message already carries', () => {
      expect(runsWithin([3, 3], (n) => n, 6, 4)).to.deep.equal([[], [3, 3]]);
      expect(runsWithin([2, 3], (n) => n, 6, 4)).to.deep.equal([[2], [3]]);
    });

    it('gives an item larger than the limit a run of its own rather than dropping it', () => {
      expect(runsWithin([2, 9, 1], (n) => n, 6)).to.deep.equal([[2], [9], [1]]);
      expect(runsWithin([9], (n) => n, 6)).to.deep.equal([[9]]);
    });

    it('answers one empty run for nothing', () => {
      expect(runsWithin([], (n: number) => n, 6)).to.deep.equal([[]]);
    });
  });

  describe('responsesOf (Work stream)', () => {
    const job = newJob({ payload: { data: 'x'.repeat(60_000) } });
    const acquired = (number: number) => ({ execution: { ...executionOf(job, { number }), status: 'running' as const, leaseToken: '00000000-0000-4000-8000-00000000000a' }, jobName: job.name, payload: job.payload });
    const delivery = (count: number, from = 1): WorkDelivery => ({ executions: Array.from({ length: count }, (_, i) => acquired(from + i)), results: [], lost: [] });

    it('sends merged deliveries as one message when they fit', () => {
      const messages = responsesOf([delivery(2), delivery(3, 3)]);
      expect(messages).to.have.length(1);
      expect(messages[0]!.message.executions).to.have.length(5);
      expect(messages[0]!.encode()).to.deep.equal(toBinary(WorkResponseSchema, messages[0]!.message));
    });

    it('splits payloads that add up to more than the limit, each message within it, in order, the answers first', () => {
      const answers: WorkDelivery = { executions: [], results: [{ executionId: 'e1', accepted: false, refusal: 'NotFound', reason: 'no such execution' }], lost: [] };
      const limit = 200_000;
      const messages = responsesOf([answers, delivery(7)], limit);
      expect(messages.length).to.be.greaterThan(2);
      for (const { message, encode } of messages) {
        const bytes = encode();
        expect(bytes.length).to.be.at.most(limit);
        expect(bytes).to.deep.equal(toBinary(WorkResponseSchema, message));
      }
      expect(messages[0]!.message.results).to.have.length(1);
      expect(messages.slice(1).every(({ message }) => message.results.length === 0 && message.lost.length === 0)).to.equal(true);
      const numbers = messages.flatMap(({ message }) => message.executions.map((e) => e.execution!.number));
      expect(numbers).to.deep.equal([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    });
  });

  describe('pageWithin (list RPCs)', () => {
    const job = newJob();
    const items = Array.from({ length: 6 }, (_, i) => executionMessage({ ...executionOf(job, { number: i + 1 }), status: 'succeeded' as const, result: { data: 'r'.repeat(20_000) } }));
    const pageOf = (count: number) => ({ executions: items.slice(0, count), nextPageToken: `after-${count}` });

    it('keeps the whole page, its message as built, when it fits', () => {
      const page = pageWithin(ListExecutionsResponseSchema, ExecutionSchema, items, pageOf);
      const read = fromBinary(ListExecutionsResponseSchema, page.encode());
      expect(read.executions).to.have.length(6);
      expect(read.nextPageToken).to.equal('after-6');
      expect(page.message.executions).to.have.length(6);
    });

    it('cuts a larger page after the items that fit, with the token of the last one kept', () => {
      const page = pageWithin(ListExecutionsResponseSchema, ExecutionSchema, items, pageOf, 50_000);
      const bytes = page.encode();
      expect(bytes.length).to.be.at.most(50_000);
      const read = fromBinary(ListExecutionsResponseSchema, bytes);
      expect(read.executions.map((e) => e.number)).to.deep.equal([1n, 2n]);
      expect(read.nextPageToken).to.equal('after-2');
      // What JSON over HTTP writes: the whole page (its clients set no such limit).
      expect(page.message.executions).to.have.length(6);
    });

    it('sends one item alone when even it is larger than the limit', () => {
      const read = fromBinary(ListExecutionsResponseSchema, pageWithin(ListExecutionsResponseSchema, ExecutionSchema, items, pageOf, 1_000).encode());
      expect(read.executions).to.have.length(1);
      expect(read.nextPageToken).to.equal('after-1');
    });
  });
});
