import type { ServiceIdentifier } from 'inversify';
import type { Clock } from '../../application/ports/clock.js';
import type { IdGenerator, Random } from '../../application/ports/ids.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Store } from '../../application/ports/store.js';
import type { GrpcSecurity } from '../grpc/auth/grpc-security.js';
import type { GrpcServer } from '../grpc/grpc-server.js';
import type { BoundService } from '../grpc/services.js';
import type { HttpApiServer } from '../http/http-api-server.js';
import type { HealthReporter } from '../grpc/health.js';
import type { Observability } from '../metrics/observability.js';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import type { Database } from '../pg/database.js';
import type { PgWakeUps } from '../pg/pg-wake-ups.js';
import type { ServiceRuntime } from '../runtime/service-runtime.js';
import type { UseCases } from './use-cases.js';

/** Identifiers of everything the composition root wires. */
export const TOKENS = {
  Logger: Symbol.for('Logger') as ServiceIdentifier<Logger>,
  Clock: Symbol.for('Clock') as ServiceIdentifier<Clock>,
  Ids: Symbol.for('Ids') as ServiceIdentifier<IdGenerator>,
  Random: Symbol.for('Random') as ServiceIdentifier<Random>,
  Database: Symbol.for('Database') as ServiceIdentifier<Database>,
  Store: Symbol.for('Store') as ServiceIdentifier<Store>,
  WakeUps: Symbol.for('WakeUps') as ServiceIdentifier<PgWakeUps>,
  UseCases: Symbol.for('UseCases') as ServiceIdentifier<UseCases>,
  Health: Symbol.for('Health') as ServiceIdentifier<HealthReporter>,
  Shutdown: Symbol.for('Shutdown') as ServiceIdentifier<AbortController>,
  GrpcServer: Symbol.for('GrpcServer') as ServiceIdentifier<GrpcServer>,
  Security: Symbol.for('Security') as ServiceIdentifier<GrpcSecurity>,
  BoundServices: Symbol.for('BoundServices') as ServiceIdentifier<BoundService[]>,
  /** null with HTTP_PORT=off. */
  HttpServer: Symbol.for('HttpServer') as ServiceIdentifier<HttpApiServer | null>,
  Runtime: Symbol.for('Runtime') as ServiceIdentifier<ServiceRuntime>,
  Metrics: Symbol.for('Metrics') as ServiceIdentifier<PrometheusMetrics>,
  Observability: Symbol.for('Observability') as ServiceIdentifier<Observability>,
} as const;
