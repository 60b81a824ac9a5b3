import 'reflect-metadata';
import { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import { systemClock } from '../clock/system-clock.js';
import type { Config } from '../config/config.js';
import { GrpcServer } from '../grpc/grpc-server.js';
import { HealthReporter } from '../grpc/health.js';
import { grpcServices, serviceFiles, serviceNames } from '../grpc/services.js';
import { createLogger } from '../logging/logger.js';
import { openDatabase, type Database } from '../pg/database.js';
import { ServiceRuntime } from '../runtime/service-runtime.js';
import { TOKENS } from './tokens.js';

export interface ContainerOverrides {
  logger?: Logger;
  clock?: Clock;
}

/**
 * The composition root: the only place that knows which adapter implements which port. Bindings
 * are factories (toResolvedValue), so no class in the core carries a decorator.
 */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(overrides.logger ?? createLogger(config.log));
  container.bind(TOKENS.Clock).toConstantValue(overrides.clock ?? systemClock);
  container.bind(TOKENS.Shutdown).toConstantValue(new AbortController());
  container.bind(TOKENS.Health).toResolvedValue(() => new HealthReporter(serviceNames));
  container
    .bind(TOKENS.Database)
    .toResolvedValue((logger: Logger) => openDatabase(config.database, logger), [TOKENS.Logger]);
  container.bind(TOKENS.GrpcServer).toResolvedValue(
    (logger: Logger, health: HealthReporter, shutdown: AbortController) =>
      new GrpcServer({
        host: config.grpc.host,
        port: config.grpc.port,
        services: grpcServices({ logger, shutdown: shutdown.signal }),
        files: serviceFiles,
        health,
        logger,
      }),
    [TOKENS.Logger, TOKENS.Health, TOKENS.Shutdown],
  );
  container.bind(TOKENS.Runtime).toResolvedValue(
    (database: Database, server: GrpcServer, health: HealthReporter, logger: Logger, shutdown: AbortController) =>
      new ServiceRuntime({ database, server, health, logger, shutdown, shutdownGraceMs: config.shutdownGraceMs }),
    [TOKENS.Database, TOKENS.GrpcServer, TOKENS.Health, TOKENS.Logger, TOKENS.Shutdown],
  );
  return container;
}

/** Builds the container, opens the database and starts listening. */
export async function startService(config: Config, overrides: ContainerOverrides = {}): Promise<ServiceRuntime> {
  const runtime = await buildContainer(config, overrides).getAsync(TOKENS.Runtime);
  await runtime.start();
  return runtime;
}
