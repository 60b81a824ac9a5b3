import { pino } from 'pino';
import type { Clock } from '../../src/application/ports/clock.js';
import type { Logger } from '../../src/application/ports/logger.js';
import { loadConfig } from '../../src/adapters/config/config.js';
import { startService } from '../../src/adapters/di/container.js';
import type { UseCases } from '../../src/adapters/di/use-cases.js';
import { createJobSchedulerClient, createQuotaClient, createWorkerClient, type JobSchedulerClient, type QuotaClient, type WorkerClient } from '../../src/adapters/grpc/client/index.js';
import type { Observability } from '../../src/adapters/metrics/observability.js';
import type { ServiceRuntime } from '../../src/adapters/runtime/service-runtime.js';
import { TestDatabase } from './test-database.js';
import type { Resolve } from '../../src/adapters/webhooks/https-sender.js';

export interface TestServer {
  address: string;
  /** http://127.0.0.1:port of the HTTP API and dashboard (HTTP_PORT=0); undefined with HTTP_PORT=off. */
  httpAddress: string | undefined;
  runtime: ServiceRuntime;
  useCases: UseCases;
  /** Metrics endpoint (on a free port), database health probe, cluster gauges. */
  observability: Observability;
  database: TestDatabase;
  scheduler: JobSchedulerClient;
  worker: WorkerClient;
  quotas: QuotaClient;
  stop(): Promise<void>;
}

/** Logs stay quiet in tests unless TEST_LOG names a level (TEST_LOG=debug npm test). */
export const testLogger = pino({ level: process.env.TEST_LOG ?? 'silent' });

/**
 * The real server on a free port (127.0.0.1:0) against a fresh database (or a given one, for
 * several replicas), with typed clients built from the generated descriptors.
 */
export async function startTestServer(options: { clock?: Clock; env?: Record<string, string>; database?: TestDatabase; logger?: Logger; webhookResolve?: Resolve } = {}): Promise<TestServer> {
  const database = options.database ?? (await TestDatabase.create());
  const config = loadConfig({ GRPC_PORT: '0', METRICS_PORT: '0', HTTP_PORT: '0', DATABASE_URL: database.url, SHUTDOWN_GRACE: '2s', ...options.env });
  const { runtime, useCases, observability } = await startService(config, { logger: options.logger ?? testLogger, ...(options.clock ? { clock: options.clock } : {}), ...(options.webhookResolve ? { webhookResolve: options.webhookResolve } : {}) });
  const scheduler = createJobSchedulerClient(runtime.address);
  const worker = createWorkerClient(runtime.address);
  const quotas = createQuotaClient(runtime.address);
  return {
    address: runtime.address,
    httpAddress: runtime.httpAddress,
    runtime,
    useCases,
    observability,
    database,
    scheduler,
    worker,
    quotas,
    async stop() {
      scheduler.close();
      worker.close();
      quotas.close();
      await runtime.stop('test finished');
      if (!options.database) await database.drop();
    },
  };
}
