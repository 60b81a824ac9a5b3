import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Store } from '../../application/ports/store.js';
import { systemClock } from '../clock/system-clock.js';
import type { Config } from '../config/config.js';
import { grpcSecurity, type GrpcSecurity } from '../grpc/auth/grpc-security.js';
import { GrpcServer } from '../grpc/grpc-server.js';
import { HealthReporter } from '../grpc/health.js';
import { boundServices, grpcServices, serviceFiles, serviceNames, type BoundService } from '../grpc/services.js';
import { HttpApiServer } from '../http/http-api-server.js';
import { createLogger } from '../logging/logger.js';
import { openDatabase, type Database } from '../pg/database.js';
import { PgStore } from '../pg/pg-store.js';
import { PgWakeUps } from '../pg/pg-wake-ups.js';
import { ServiceRuntime } from '../runtime/service-runtime.js';
import { buildObservability, observedEngine } from '../metrics/wiring.js';
import type { Observability } from '../metrics/observability.js';
import { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import type { ServiceTracing } from '../tracing/setup.js';
import { TOKENS } from './tokens.js';
import { rootCertificates } from 'node:tls';
import { AddressPolicy } from '../webhooks/address-policy.js';
import { HttpsWebhookSender, type Resolve } from '../webhooks/https-sender.js';
import { buildUseCases, type UseCases } from './use-cases.js';

export interface ContainerOverrides {
  logger?: Logger;
  clock?: Clock;
  /** Spans, when the environment turned tracing on (tracing/setup.ts); absent: none. */
  tracing?: ServiceTracing;
  /** How webhook hosts are resolved (tests inject names that resolve to internal addresses). */
  webhookResolve?: Resolve;
}

/**
 * The composition root: the only place that knows which adapter implements which port. Bindings
 * are factories (toResolvedValue), so no class in the core carries a decorator.
 */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Logger).toConstantValue(overrides.logger ?? createLogger(config.log));
  container.bind(TOKENS.Clock).toConstantValue(overrides.clock ?? systemClock);
  container.bind(TOKENS.Ids).toConstantValue({ newId: randomUUID });
  container.bind(TOKENS.Random).toConstantValue(Math.random);
  container.bind(TOKENS.Shutdown).toConstantValue(new AbortController());
  container.bind(TOKENS.Health).toResolvedValue(() => new HealthReporter(serviceNames));
  container.bind(TOKENS.Database).toResolvedValue((logger: Logger) => openDatabase(config.database, logger), [TOKENS.Logger]);
  container.bind(TOKENS.Store).toResolvedValue((database: Database) => new PgStore(database.pool), [TOKENS.Database]);
  container.bind(TOKENS.Metrics).toResolvedValue(() => new PrometheusMetrics());
  container
    .bind(TOKENS.Observability)
    .toResolvedValue(
      (metrics: PrometheusMetrics, database: Database, health: HealthReporter, clock: Clock, logger: Logger) =>
        buildObservability({ config: config.observability, poolSize: config.database.poolSize, metrics, database, health, clock, logger }),
      [TOKENS.Metrics, TOKENS.Database, TOKENS.Health, TOKENS.Clock, TOKENS.Logger],
    );
  container.bind(TOKENS.WakeUps).toResolvedValue((database: Database, logger: Logger) => new PgWakeUps(database.pool, database.url, logger), [TOKENS.Database, TOKENS.Logger]);
  container
    .bind(TOKENS.UseCases)
    .toResolvedValue(
      (store: Store, clock: Clock, ids, random, wakeUps: PgWakeUps, logger: Logger, metrics: PrometheusMetrics) => {
        const webhookSender = new HttpsWebhookSender({
          policy: new AddressPolicy(config.webhooks.allowCidrs),
          timeoutMs: config.webhooks.timeoutMs,
          maxRedirects: config.webhooks.maxRedirects,
          allowHttp: config.webhooks.allowHttp,
          // Given CAs are trusted besides the system's, not instead of them.
          ...(config.webhooks.ca ? { ca: [...rootCertificates, config.webhooks.ca].join('\n') } : {}),
          ...(overrides.webhookResolve ? { resolve: overrides.webhookResolve } : {}),
        });
        const useCases = buildUseCases({ store, clock, ids, random, wakeUps, logger, observer: observedEngine(metrics, logger, overrides.tracing?.observer), tracing: overrides.tracing?.tracing, webhookSender }, config);
        metrics.watchWorkers(useCases.worker.sessions);
        return useCases;
      },
      [TOKENS.Store, TOKENS.Clock, TOKENS.Ids, TOKENS.Random, TOKENS.WakeUps, TOKENS.Logger, TOKENS.Metrics],
    );
  container.bind(TOKENS.Security).toResolvedValue((logger: Logger) => grpcSecurity(config.security, config.grpc.host, logger), [TOKENS.Logger]);
  // Bound once: the gRPC port and the HTTP port serve the same implementations (guard, error table, audit).
  container.bind(TOKENS.BoundServices).toResolvedValue(
    (useCases: UseCases, logger: Logger, shutdown: AbortController, metrics: PrometheusMetrics, security: GrpcSecurity) =>
      boundServices(useCases, { logger, shutdown: shutdown.signal, guard: security.guard, audit: security.audit, onCall: metrics.onCall, traceCall: overrides.tracing?.rpc }),
    [TOKENS.UseCases, TOKENS.Logger, TOKENS.Shutdown, TOKENS.Metrics, TOKENS.Security],
  );
  container.bind(TOKENS.GrpcServer).toResolvedValue(
    (services: BoundService[], logger: Logger, health: HealthReporter, security: GrpcSecurity) => {
      const { credentials, serverOptions, reflectionGuard } = security;
      return new GrpcServer({ host: config.grpc.host, port: config.grpc.port, services: grpcServices(services), files: serviceFiles, health, logger, credentials, serverOptions, reflectionGuard });
    },
    [TOKENS.BoundServices, TOKENS.Logger, TOKENS.Health, TOKENS.Security],
  );
  container.bind(TOKENS.HttpServer).toResolvedValue(
    (services: BoundService[], logger: Logger) =>
      config.http.port === undefined
        ? null
        : new HttpApiServer({
            host: config.http.host,
            port: config.http.port,
            services,
            maxReceiveBytes: config.security.transport.maxReceiveBytes,
            tls: config.security.tls,
            authEnabled: config.security.auth !== undefined || config.security.tls?.clientCa !== undefined,
            dashboard: { auth: config.security.auth !== undefined, rolesClaim: config.security.auth?.rolesClaim ?? 'roles' },
            logger,
          }),
    [TOKENS.BoundServices, TOKENS.Logger],
  );
  container.bind(TOKENS.Runtime).toResolvedValue(
    (database: Database, wakeUps: PgWakeUps, useCases: UseCases, server: GrpcServer, http: HttpApiServer | null, health: HealthReporter, logger: Logger, shutdown: AbortController, observability: Observability) =>
      new ServiceRuntime({ database, wakeUps, engine: useCases.engine, engineEnabled: config.engine.enabled, workSessions: useCases.worker.sessions, webhooks: useCases.webhooks, server, http: http ?? undefined, health, logger, shutdown, shutdownGraceMs: config.shutdownGraceMs, observability }),
    [TOKENS.Database, TOKENS.WakeUps, TOKENS.UseCases, TOKENS.GrpcServer, TOKENS.HttpServer, TOKENS.Health, TOKENS.Logger, TOKENS.Shutdown, TOKENS.Observability],
  );
  return container;
}

/** Builds the container, opens the database, starts the engine and starts listening. */
export async function startService(
  config: Config,
  overrides: ContainerOverrides = {},
): Promise<{ runtime: ServiceRuntime; useCases: UseCases; observability: Observability }> {
  const container = buildContainer(config, overrides);
  const runtime = await container.getAsync(TOKENS.Runtime);
  await runtime.start();
  return { runtime, useCases: await container.getAsync(TOKENS.UseCases), observability: await container.getAsync(TOKENS.Observability) };
}
