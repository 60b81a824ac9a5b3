import { expect } from 'chai';
import type { MetricsBucket } from '../../../../src/application/ports/scheduler-metrics-store.js';
import { at, executionOf, jobInState, MINUTE } from '../support/builders.js';
import type { ConformanceContext } from './context.js';

const SECOND = 1_000;

/** GetMetricsHistory's buckets: the same figures from both stores, worked out by hand. */
export function metricsHistoryConformance(context: ConformanceContext): void {
  describe('SchedulerMetricsStore: history', () => {
    it('counts finishes, starts with their lag, and the queue at each bucket end, reading only the window', async () => {
      const job = { ...jobInState('running'), executionCount: 8 };
      const m = (minutes: number, seconds = 0) => at(minutes * MINUTE + seconds * SECOND);
      const executions = [
        // Finished before the window: not read.
        executionOf(job, { number: 1, status: 'succeeded', queuedAt: m(2), startedAt: m(3), finishedAt: m(4) }),
        // Entered and left the queue before the window, still running: no figure of the window.
        executionOf(job, { number: 2, status: 'running', queuedAt: m(8), startedAt: m(9) }),
        // Waiting when the window opens; starts 140 s late in bucket 1, fails in bucket 2.
        executionOf(job, { number: 3, status: 'failed', queuedAt: m(9), startedAt: m(11, 20), finishedAt: m(12, 10) }),
        // Queued in bucket 0 and still waiting.
        executionOf(job, { number: 4, status: 'queued', queuedAt: m(10, 30) }),
        // A retry due after now: not in the queue yet.
        executionOf(job, { number: 5, status: 'queued', queuedAt: m(12), scheduledAt: m(16) }),
        // Queued in bucket 1, cancelled before it started in bucket 3.
        executionOf(job, { number: 6, status: 'cancelled', queuedAt: m(11), finishedAt: m(13, 15) }),
        executionOf(job, { number: 7, status: 'succeeded', queuedAt: m(13), startedAt: m(13, 10), finishedAt: m(13, 40) }),
        executionOf(job, { number: 8, status: 'timed_out', queuedAt: m(14), startedAt: m(14, 5), finishedAt: m(14, 20) }),
      ];
      await context.tx(async (tx) => {
        await tx.jobs.insert([job]);
        await tx.executions.insert(executions);
      });
      const buckets = await context.tx((tx) => tx.metrics.history({ from: m(10), stepMs: MINUTE, count: 5, now: m(14, 30) }));
      const bucket = (minute: number, figures: Partial<MetricsBucket>): MetricsBucket => ({
        start: m(minute),
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        queueDepth: 0,
        started: 0,
        lagP50Ms: undefined,
        lagP95Ms: undefined,
        ...figures,
      });
      expect(buckets).to.deep.equal([
        bucket(10, { queueDepth: 2 }),
        bucket(11, { queueDepth: 2, started: 1, lagP50Ms: 140_000, lagP95Ms: 140_000 }),
        bucket(12, { queueDepth: 2, failed: 1 }),
        bucket(13, { queueDepth: 1, started: 1, lagP50Ms: 10_000, lagP95Ms: 10_000, succeeded: 1, cancelled: 1 }),
        bucket(14, { queueDepth: 1, started: 1, lagP50Ms: 5_000, lagP95Ms: 5_000, failed: 1 }),
      ]);
    });
  });
}
