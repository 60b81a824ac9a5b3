import { durationFromMs, timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { MetricsBucket } from '../../../src/gen/jobscheduler/v1/stats_pb.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, fail, MINUTE, newClock, once } from '../engine/engine-harness.js';

/** GetMetricsHistory: per-minute figures computed from the stored executions, on a fake clock. */
describe('GetMetricsHistory', () => {
  const clock = newClock();
  let server: TestServer;

  before(async () => {
    server = await engineServer(clock);
  });
  after(async () => server?.stop());

  const summary = (b: MetricsBucket) => ({
    start: timestampDate(b.start as Timestamp).toISOString().slice(11, 16),
    succeeded: Number(b.succeeded),
    failed: Number(b.failed),
    cancelled: Number(b.cancelled),
    queueDepth: Number(b.queueDepth),
    started: Number(b.started),
    lagP95: b.scheduleLagP95 ? Number(b.scheduleLagP95.seconds) : undefined,
  });

  it('buckets throughput, success rate, queue depth and schedule lag by minute over the window, the last bucket holding now', async () => {
    // 08:00 three runs are queued; 08:02 two start (120 s late); 08:02:30 one succeeds, one fails; 08:03:30 the third is cancelled.
    const job = await createJob(server, { schedule: once(new Date('2030-01-01T00:00:00Z')) });
    const runs = [];
    for (let i = 0; i < 3; i += 1) runs.push((await server.scheduler.runJob({ id: job.id })).execution);
    clock.advance(2 * MINUTE);
    const [first, second] = await acquire(server, 2);
    clock.advance(30_000);
    await complete(server, first as NonNullable<typeof first>);
    await fail(server, second as NonNullable<typeof second>, false);
    clock.advance(MINUTE);
    const waiting = runs.find((run) => run?.id !== first?.execution?.id && run?.id !== second?.execution?.id);
    await server.scheduler.cancelExecution({ id: waiting?.id ?? '' });
    clock.advance(MINUTE);

    const history = await server.scheduler.getMetricsHistory({ window: durationFromMs(10 * MINUTE), step: durationFromMs(MINUTE) });
    expect(Number(history.step?.seconds)).to.equal(60);
    expect(history.buckets.map(summary)).to.deep.equal([
      ...['07:55', '07:56', '07:57', '07:58', '07:59'].map((start) => ({ start, succeeded: 0, failed: 0, cancelled: 0, queueDepth: 0, started: 0, lagP95: undefined })),
      { start: '08:00', succeeded: 0, failed: 0, cancelled: 0, queueDepth: 3, started: 0, lagP95: undefined },
      { start: '08:01', succeeded: 0, failed: 0, cancelled: 0, queueDepth: 3, started: 0, lagP95: undefined },
      { start: '08:02', succeeded: 1, failed: 1, cancelled: 0, queueDepth: 1, started: 2, lagP95: 120 },
      { start: '08:03', succeeded: 0, failed: 0, cancelled: 1, queueDepth: 0, started: 0, lagP95: undefined },
      { start: '08:04', succeeded: 0, failed: 0, cancelled: 0, queueDepth: 0, started: 0, lagP95: undefined },
    ]);
    expect(history.buckets[7]?.successRate).to.equal(0.5);
    expect(Number(history.buckets[7]?.scheduleLagP50?.seconds)).to.equal(120);
    expect(history.buckets[8]?.successRate).to.equal(0);

    // The defaults: the last hour by minute.
    const defaults = await server.scheduler.getMetricsHistory({});
    expect(defaults.buckets).to.have.length(60);
    expect(defaults.buckets.map(summary).at(-3)).to.deep.equal(summary(history.buckets[7] as MetricsBucket));
  });

  it('refuses a window or step out of range, naming the field', async () => {
    const refused = async (request: object, message: RegExp) => {
      const error = (await server.scheduler.getMetricsHistory(request).catch((e: ServiceError) => e)) as ServiceError;
      expect(error.code).to.equal(status.INVALID_ARGUMENT);
      expect(error.details).to.match(message);
    };
    await refused({ window: durationFromMs(30_000) }, /^window must be from 1 minute to 24 hours, got 30 s/);
    await refused({ window: durationFromMs(25 * 60 * MINUTE) }, /^window must be from 1 minute to 24 hours/);
    await refused({ step: durationFromMs(5_000) }, /^step must be whole seconds from 10 s to 1 hour, got 5 s/);
    await refused({ step: durationFromMs(10_500) }, /^step must be whole seconds/);
    await refused({ window: durationFromMs(24 * 60 * MINUTE), step: durationFromMs(10_000) }, /^window ÷ step must be at most 1440 buckets, got 8640/);
  });
});
