import type { ServiceIdentifier } from 'inversify';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Config } from '../config/config.js';
import type { GrpcServer } from '../grpc/grpc-server.js';
import type { HealthReporter } from '../grpc/health.js';
import type { Database } from '../pg/database.js';
import type { ServiceRuntime } from '../runtime/service-runtime.js';

/** Identifiers of everything the composition root wires. */
export const TOKENS = {
  Config: Symbol.for('Config') as ServiceIdentifier<Config>,
  Logger: Symbol.for('Logger') as ServiceIdentifier<Logger>,
  Clock: Symbol.for('Clock') as ServiceIdentifier<Clock>,
  Database: Symbol.for('Database') as ServiceIdentifier<Database>,
  Health: Symbol.for('Health') as ServiceIdentifier<HealthReporter>,
  Shutdown: Symbol.for('Shutdown') as ServiceIdentifier<AbortController>,
  GrpcServer: Symbol.for('GrpcServer') as ServiceIdentifier<GrpcServer>,
  Runtime: Symbol.for('Runtime') as ServiceIdentifier<ServiceRuntime>,
} as const;
