import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';
import type { ClusterGauges } from '../../../src/application/ports/cluster-gauges-store.js';
import { queuedExecution, type Execution } from '../../../src/domain/execution/execution.js';
import { Exposition } from '../../support/prometheus-text.js';

const NOW = new Date('2026-03-02T08:00:00Z');

function execution(type: string, fields: Partial<Execution> = {}): Execution {
  const queued = queuedExecution(
    { id: 'b0d7c6a2-0000-4000-8000-000000000001', type, priority: 0, attemptTimeoutMs: undefined },
    { id: 'e0d7c6a2-0000-4000-8000-000000000001', number: 1, occurrenceAt: NOW, attempt: 1, trigger: 'schedule', scheduledAt: NOW },
    NOW,
  );
  return { ...queued, ...fields };
}

const idle: ClusterGauges = {
  jobsByState: { pending: 0, scheduled: 0, running: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 },
  queues: [],
  overdueByType: new Map(),
  overdueJobs: [],
};

describe('PrometheusMetrics', () => {
  it('caps the distinct job types and counts the rest as type="other"', async () => {
    const metrics = new PrometheusMetrics({ maxTypeLabels: 3 });
    metrics.observer.queued(['a', 'b', 'c', 'd', 'e', 'a'].map((type) => execution(type)));
    const scraped = new Exposition(await metrics.registry.metrics());
    const counts = Object.fromEntries(scraped.find('jobscheduler_executions_queued_total').map((s) => [s.labels.type, s.value]));
    expect(counts).to.deep.equal({ a: 2, b: 1, c: 1, other: 2 });
  });

  it('derives rescues, timeouts, lag and duration from the executions the engine reports', async () => {
    const metrics = new PrometheusMetrics();
    const started = new Date(NOW.getTime() + 250);
    const finished = new Date(started.getTime() + 4_000);
    metrics.observer.started([execution('t', { status: 'running', startedAt: started })]);
    metrics.observer.finished([
      execution('t', { status: 'lost', startedAt: started, finishedAt: finished }),
      execution('t', { status: 'timed_out', startedAt: started, finishedAt: finished }),
      execution('t', { status: 'cancelled', finishedAt: finished }), // never started: no duration
    ]);
    metrics.observer.queued([execution('t', { trigger: 'retry', attempt: 2 })]);
    const scraped = new Exposition(await metrics.registry.metrics());
    expect(scraped.value('jobscheduler_schedule_lag_seconds_sum', { type: 't' })).to.equal(0.25);
    expect(scraped.value('jobscheduler_leases_rescued_total', { type: 't' })).to.equal(1);
    expect(scraped.value('jobscheduler_execution_timeouts_total', { type: 't' })).to.equal(1);
    expect(scraped.value('jobscheduler_executions_finished_total', { type: 't', status: 'cancelled' })).to.equal(1);
    expect(scraped.value('jobscheduler_execution_duration_seconds_count', { type: 't' })).to.equal(2);
    expect(scraped.value('jobscheduler_execution_retries_total', { type: 't' })).to.equal(1);
  });

  it('names RPCs by package.Service/Method and status code', async () => {
    const metrics = new PrometheusMetrics();
    metrics.onCall('/jobscheduler.v1.JobSchedulerService/GetJob', status.NOT_FOUND, 12);
    const scraped = new Exposition(await metrics.registry.metrics());
    expect(scraped.value('jobscheduler_grpc_requests_total', { method: 'jobscheduler.v1.JobSchedulerService/GetJob', code: 'NOT_FOUND' })).to.equal(1);
    expect(scraped.value('jobscheduler_grpc_request_duration_seconds_sum', { method: 'jobscheduler.v1.JobSchedulerService/GetJob' })).to.equal(0.012);
  });

  it('publishes cluster gauges, keeping a zero series for every type seen before', async () => {
    const metrics = new PrometheusMetrics();
    metrics.publish(
      {
        ...idle,
        jobsByState: { ...idle.jobsByState, scheduled: 4, paused: 1 },
        queues: [{ type: 'a', queued: 3, running: 2, oldestDueAt: new Date(NOW.getTime() - 90_000) }],
        overdueByType: new Map([['b', 1]]),
      },
      NOW,
    );
    let scraped = new Exposition(await metrics.registry.metrics());
    expect(scraped.value('jobscheduler_jobs', { state: 'scheduled' })).to.equal(4);
    expect(scraped.value('jobscheduler_jobs', { state: 'failed' })).to.equal(0);
    expect(scraped.value('jobscheduler_queue_depth', { type: 'a' })).to.equal(3);
    expect(scraped.value('jobscheduler_executions_running', { type: 'a' })).to.equal(2);
    expect(scraped.value('jobscheduler_queue_oldest_age_seconds', { type: 'a' })).to.equal(90);
    expect(scraped.value('jobscheduler_jobs_overdue', { type: 'b' })).to.equal(1);
    expect(scraped.value('jobscheduler_jobs_overdue', { type: 'a' })).to.equal(0);

    metrics.publish(idle, NOW);
    scraped = new Exposition(await metrics.registry.metrics());
    expect(scraped.value('jobscheduler_queue_depth', { type: 'a' })).to.equal(0);
    expect(scraped.value('jobscheduler_jobs_overdue', { type: 'b' })).to.equal(0);
  });

  it('reads pool usage and health when scraped', async () => {
    const metrics = new PrometheusMetrics();
    const pool = { totalCount: 3, idleCount: 1, waitingCount: 0 };
    const health = { isServing: true, isDatabaseReachable: true };
    metrics.watchPool(pool, 10);
    metrics.watchHealth(health);
    pool.waitingCount = 7;
    health.isServing = false;
    const scraped = new Exposition(await metrics.exposition());
    expect(scraped.value('jobscheduler_db_pool_connections')).to.equal(3);
    expect(scraped.value('jobscheduler_db_pool_idle_connections')).to.equal(1);
    expect(scraped.value('jobscheduler_db_pool_waiting_requests')).to.equal(7);
    expect(scraped.value('jobscheduler_db_pool_max_connections')).to.equal(10);
    expect(scraped.value('jobscheduler_serving')).to.equal(0);
    expect(scraped.value('jobscheduler_database_up')).to.equal(1);
    expect(scraped.find('nodejs_heap_size_used_bytes')).to.have.length(1);
  });
});
