import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { AcquiredExecution } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { httpGet, scrape, type Exposition } from '../../support/prometheus-text.js';
import type { TestServer } from '../../support/test-server.js';
import { engineServer, newClock, once } from '../engine/engine-harness.js';

const TYPE = 'metrics.x';
const SECOND = 1_000;

describe('Prometheus metrics on /metrics', () => {
  const clock = newClock();
  let server: TestServer;
  let address: string;

  before(async () => {
    server = await engineServer(clock);
    address = server.observability.metricsAddress as string;
  });

  after(async () => {
    await server?.stop();
  });

  async function acquire(capacity = 10): Promise<AcquiredExecution[]> {
    const { executions } = await server.worker.acquireExecutions({ workerId: 'metrics-worker', jobTypes: [TYPE], capacity });
    return executions;
  }

  const refreshAndScrape = async (): Promise<Exposition> => {
    await server.observability.parts.refresher.runOnce();
    return scrape(address);
  };

  it('listens on the configured address (port 0 = a free port) and answers /healthz and /readyz', async () => {
    expect(address).to.match(/^127\.0\.0\.1:\d+$/);
    expect(address).not.to.equal('127.0.0.1:0');
    expect(await httpGet(address, '/healthz')).to.include({ status: 200 });
    expect(await httpGet(address, '/readyz')).to.include({ status: 200 });
    expect((await httpGet(address, '/nothing')).status).to.equal(404);
    const metrics = await httpGet(address, '/metrics');
    expect(metrics.status).to.equal(200);
    expect(metrics.contentType).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it('counts executions started and finished, retries, lag, durations, dispatcher work, RPCs and cluster gauges', async () => {
    const policy = { maxRetries: 1, initialBackoff: durationFromMs(10 * SECOND) };
    // Due a second from now, so the dispatcher fires them (a one-shot due at once is queued by CreateJob itself).
    for (const name of ['succeeds', 'fails once']) await server.scheduler.createJob({ job: { name, type: TYPE, schedule: once(new Date(clock.now().getTime() + SECOND)), retryPolicy: policy } });
    await server.scheduler.createJob({ job: { name: 'later', type: TYPE, schedule: once(new Date(clock.now().getTime() + 3_600_000)) } });
    const missing = await server.scheduler.getJob({ id: '00000000-0000-4000-8000-000000000000' }).catch((error: ServiceError) => error);
    expect((missing as ServiceError).code).to.equal(status.NOT_FOUND);

    clock.advance(SECOND);
    await server.useCases.dispatch.runUntilIdle();
    clock.advance(1_500);
    let scraped = await refreshAndScrape();
    expect(scraped.value('jobscheduler_queue_depth', { type: TYPE })).to.equal(2);
    expect(scraped.value('jobscheduler_queue_oldest_age_seconds', { type: TYPE })).to.equal(1.5);
    expect(scraped.value('jobscheduler_executions_queued_total', { type: TYPE, trigger: 'schedule' })).to.equal(2);

    // Both start 1.5 s late; one succeeds after 2 s, the other fails after 2 s and is retried in 10 s.
    const [first, second] = await acquire();
    scraped = await refreshAndScrape();
    expect(scraped.value('jobscheduler_executions_running', { type: TYPE })).to.equal(2);
    expect(scraped.value('jobscheduler_queue_depth', { type: TYPE })).to.equal(0);
    clock.advance(2 * SECOND);
    await server.worker.completeExecution({ executionId: first?.execution?.id ?? '', leaseToken: first?.leaseToken ?? '' });
    await server.worker.failExecution({ executionId: second?.execution?.id ?? '', leaseToken: second?.leaseToken ?? '', errorMessage: 'boom', retryable: true });

    // The retry is due 10 s later; it starts 2 s after that and succeeds after 1 s.
    clock.advance(12 * SECOND);
    await server.useCases.dispatch.runUntilIdle();
    const [retry] = await acquire();
    expect(retry?.execution?.attempt).to.equal(2);
    clock.advance(SECOND);
    await server.worker.completeExecution({ executionId: retry?.execution?.id ?? '', leaseToken: retry?.leaseToken ?? '' });

    scraped = await refreshAndScrape();
    const type = { type: TYPE };
    expect(scraped.value('jobscheduler_executions_started_total', type)).to.equal(3);
    expect(scraped.value('jobscheduler_executions_finished_total', { ...type, status: 'succeeded' })).to.equal(2);
    expect(scraped.value('jobscheduler_executions_finished_total', { ...type, status: 'failed' })).to.equal(1);
    expect(scraped.value('jobscheduler_execution_retries_total', type)).to.equal(1);
    expect(scraped.value('jobscheduler_executions_queued_total', { ...type, trigger: 'retry' })).to.equal(1);
    expect(scraped.value('jobscheduler_leases_rescued_total', type)).to.equal(undefined);

    expect(scraped.type('jobscheduler_schedule_lag_seconds')).to.equal('histogram');
    expect(scraped.value('jobscheduler_schedule_lag_seconds_count', type)).to.equal(3);
    expect(scraped.value('jobscheduler_schedule_lag_seconds_sum', type)).to.equal(1.5 + 1.5 + 2);
    expect(scraped.value('jobscheduler_schedule_lag_seconds_bucket', { ...type, le: '1' })).to.equal(0);
    expect(scraped.value('jobscheduler_schedule_lag_seconds_bucket', { ...type, le: '2.5' })).to.equal(3);
    expect(scraped.value('jobscheduler_execution_duration_seconds_count', type)).to.equal(3);
    expect(scraped.value('jobscheduler_execution_duration_seconds_sum', type)).to.equal(2 + 2 + 1);

    expect(scraped.value('jobscheduler_dispatch_jobs_claimed_total')).to.equal(2);
    expect(scraped.value('jobscheduler_dispatch_occurrences_fired_total')).to.equal(2);
    expect(scraped.value('jobscheduler_dispatch_occurrences_skipped_total')).to.equal(0);
    expect(scraped.value('jobscheduler_dispatch_pass_duration_seconds_count')).to.be.at.least(2);

    const scheduler = 'jobscheduler.v1.JobSchedulerService';
    const worker = 'jobscheduler.v1.WorkerService';
    expect(scraped.value('jobscheduler_grpc_requests_total', { method: `${scheduler}/CreateJob`, code: 'OK' })).to.equal(3);
    expect(scraped.value('jobscheduler_grpc_requests_total', { method: `${scheduler}/GetJob`, code: 'NOT_FOUND' })).to.equal(1);
    expect(scraped.value('jobscheduler_grpc_requests_total', { method: `${worker}/AcquireExecutions`, code: 'OK' })).to.equal(2);
    expect(scraped.value('jobscheduler_grpc_requests_total', { method: `${worker}/CompleteExecution`, code: 'OK' })).to.equal(2);
    expect(scraped.value('jobscheduler_grpc_requests_total', { method: `${worker}/FailExecution`, code: 'OK' })).to.equal(1);
    expect(scraped.value('jobscheduler_grpc_request_duration_seconds_count', { method: `${scheduler}/CreateJob` })).to.equal(3);

    expect(scraped.value('jobscheduler_jobs', { state: 'completed' })).to.equal(2);
    expect(scraped.sum('jobscheduler_jobs')).to.equal(3);
    expect(scraped.value('jobscheduler_queue_depth', type)).to.equal(0);
    expect(scraped.value('jobscheduler_executions_running', type)).to.equal(0);
    expect(scraped.value('jobscheduler_jobs_overdue', type)).to.equal(0);
    expect(scraped.value('jobscheduler_cluster_gauges_refresh_timestamp_seconds')).to.equal(clock.now().getTime() / 1000);

    expect(scraped.value('jobscheduler_db_pool_connections')).to.be.at.least(1);
    expect(scraped.value('jobscheduler_db_pool_max_connections')).to.equal(10);
    expect(scraped.value('jobscheduler_db_pool_waiting_requests')).to.equal(0);
    expect(scraped.value('jobscheduler_serving')).to.equal(1);
    expect(scraped.value('jobscheduler_database_up')).to.equal(1);
    expect(scraped.find('process_cpu_user_seconds_total')).to.have.length(1);
  });

  it('follows Prometheus naming and never uses ids as label values', async () => {
    const scraped = await scrape(address);
    const ours = scraped.samples.filter((s) => s.name.startsWith('jobscheduler_'));
    expect(ours).not.to.be.empty;
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    for (const sample of ours) {
      for (const value of Object.values(sample.labels)) expect(value, sample.name).not.to.match(uuid);
      expect(Object.keys(sample.labels), sample.name).to.satisfy((keys: string[]) => keys.every((key) => ['type', 'trigger', 'status', 'state', 'method', 'code', 'le'].includes(key)));
    }
    for (const name of new Set(ours.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')))) {
      const type = scraped.type(name);
      if (type === 'counter') expect(name).to.match(/_total$/);
      else expect(name, `${name} is a ${type}`).not.to.match(/_total$/);
    }
  });
});
