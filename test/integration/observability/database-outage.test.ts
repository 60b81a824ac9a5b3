import { status, type ServiceError } from '@grpc/grpc-js';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { loadConfig } from '../../../src/adapters/config/config.js';
import { startService } from '../../../src/adapters/di/container.js';
import { createJobSchedulerClient, createWorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import type { Observability } from '../../../src/adapters/metrics/observability.js';
import { EmbeddedPostgres } from '../../../src/adapters/pg/embedded-postgres.js';
import type { ServiceRuntime } from '../../../src/adapters/runtime/service-runtime.js';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { eventually } from '../../support/eventually.js';
import { httpGet, scrape } from '../../support/prometheus-text.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const TYPE = 'outage.test';
const DATABASE = 'jobscheduler';

/**
 * The suite's shared PostgreSQL must stay up, so this test runs its own cluster, stops it under a
 * running server and starts it again on the same port (so the pool's URL still points at it).
 */
describe('database outage: health follows the database, and nothing is lost', function () {
  this.timeout(120_000);
  let base: string;
  let cluster: EmbeddedPostgres | undefined;
  let runtime: ServiceRuntime | undefined;
  let observability: Observability;
  const logger = new RecordingLogger();

  const startCluster = async (port: number) => {
    // Not ephemeral: stop() must keep the data directory for the restart.
    cluster = await EmbeddedPostgres.start({ dataDir: join(base, 'postgres'), port, settings: { fsync: 'off' } });
    return cluster;
  };

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'jobscheduler-outage-'));
    // As root, PostgreSQL runs as the "postgres" user, who must be able to enter this directory.
    chmodSync(base, 0o755);
    const started = await startCluster(0);
    await started.ensureDatabase(DATABASE);
    const config = loadConfig({
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      HTTP_PORT: '0',
      DATABASE_URL: started.url(DATABASE),
      DATABASE_POOL_SIZE: '4',
      SHUTDOWN_GRACE: '2s',
      POLL_INTERVAL: '200ms',
      REAPER_INTERVAL: '500ms',
      HEALTH_CHECK_INTERVAL: '100ms',
      HEALTH_CHECK_TIMEOUT: '1s',
    });
    ({ runtime, observability } = await startService(config, { logger }));
  });

  after(async () => {
    await runtime?.stop('test finished');
    await cluster?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('reports NOT_SERVING while the database is down, stays up, and runs the work once it is back', async () => {
    const address = runtime!.address;
    const metricsAddress = observability.metricsAddress as string;
    const scheduler = createJobSchedulerClient(address);
    const worker = createWorkerClient(address);
    const health = createServiceClient(Health, address);
    const serving = async () => (await health.check({ service: '' })).status;
    try {
      expect(await serving()).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      expect((await httpGet(metricsAddress, '/readyz')).status).to.equal(200);

      // One job fires before the outage (its execution waits for a worker), one is due during it.
      const { job: before } = await scheduler.createJob({ job: { name: 'before the outage', type: TYPE, schedule: { kind: { case: 'once', value: {} } } } });
      await eventually(async () => expect((await scheduler.listExecutions({ jobId: before?.id ?? '' })).executions).to.have.length(1));
      const dueAt = new Date(Date.now() + 1_500);
      const { job: during } = await scheduler.createJob({ job: { name: 'due during the outage', type: TYPE, schedule: { kind: { case: 'once', value: { at: timestampFromDate(dueAt) } } } } });

      const port = cluster!.port;
      await cluster!.stop();

      await eventually(async () => expect(await serving()).to.equal(HealthCheckResponse_ServingStatus.NOT_SERVING), 10_000);
      const readyz = await httpGet(metricsAddress, '/readyz');
      expect(readyz).to.deep.include({ status: 503 });
      expect(readyz.body).to.contain('database unreachable');
      expect((await httpGet(metricsAddress, '/healthz')).status).to.equal(200);
      const during503 = await scrape(metricsAddress);
      expect(during503.value('jobscheduler_serving')).to.equal(0);
      expect(during503.value('jobscheduler_database_up')).to.equal(0);
      // The API answers (with an error), the process stays up; wait past the due time of the second job.
      const failed = await scheduler.getJob({ id: before?.id ?? '' }).then(
        () => undefined,
        (error: ServiceError) => error,
      );
      // UNAVAILABLE (retry later), never INTERNAL: clients and load balancers know what to do with it.
      expect(failed?.code).to.equal(status.UNAVAILABLE);
      expect(failed?.details).to.match(/^the database is unavailable; nothing was changed, retry later/);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt.getTime() - Date.now()) + 300));
      expect(await serving()).to.equal(HealthCheckResponse_ServingStatus.NOT_SERVING);

      await startCluster(port);
      await eventually(async () => expect(await serving()).to.equal(HealthCheckResponse_ServingStatus.SERVING), 15_000);
      expect((await httpGet(metricsAddress, '/readyz')).status).to.equal(200);
      expect(logger.matching('database unreachable: reporting NOT_SERVING')).to.have.length(1);
      expect(logger.matching('database reachable again: reporting SERVING')).to.have.length(1);

      // Both jobs run, once each.
      const done = new Set<string>();
      await eventually(async () => {
        const { executions } = await worker.acquireExecutions({ workerId: 'outage-worker', jobTypes: [TYPE], capacity: 10, wait: durationFromMs(500) });
        for (const acquired of executions) {
          await worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
          done.add(acquired.execution?.jobId ?? '');
        }
        expect([...done].sort()).to.deep.equal([before?.id, during?.id].sort());
      }, 20_000);
      for (const job of [before, during]) {
        const { executions } = await scheduler.listExecutions({ jobId: job?.id ?? '' });
        expect(executions.map((e) => e.status)).to.deep.equal([ExecutionStatus.SUCCEEDED]);
        expect((await scheduler.getJob({ id: job?.id ?? '' })).job?.state).to.equal(JobState.COMPLETED);
      }
      expect((await scrape(metricsAddress)).value('jobscheduler_database_up')).to.equal(1);
    } finally {
      scheduler.close();
      worker.close();
      health.close();
    }
  });
});
