import { ExecutionLogObserver, combineObservers } from '../../application/observability/execution-log-observer.js';
import { RefreshClusterGauges } from '../../application/observability/refresh-cluster-gauges.js';
import { WatchDatabaseHealth } from '../../application/observability/watch-database-health.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EngineObserver } from '../../application/ports/engine-observer.js';
import type { Logger } from '../../application/ports/logger.js';
import type { ObservabilityConfig } from '../config/config.js';
import type { HealthReporter } from '../grpc/health.js';
import { PgClusterGaugesStore } from '../pg/cluster-gauges-sql.js';
import type { Database } from '../pg/database.js';
import { PgDatabaseProbe } from '../pg/database-probe.js';
import { MetricsHttpServer } from './metrics-http-server.js';
import { Observability } from './observability.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

/** What the engine reports goes to the metrics and to the log, and to the spans when tracing is on. */
export function observedEngine(metrics: PrometheusMetrics, logger: Logger, spans?: EngineObserver): EngineObserver {
  return combineObservers([metrics.observer, new ExecutionLogObserver(logger), ...(spans ? [spans] : [])], logger);
}

export interface ObservabilityWiring {
  config: ObservabilityConfig;
  poolSize: number;
  metrics: PrometheusMetrics;
  database: Database;
  health: HealthReporter;
  clock: Clock;
  logger: Logger;
}

/** Builds the metrics endpoint, the database health probe and the cluster-gauge refresher of one replica. */
export function buildObservability({ config, poolSize, metrics, database, health, clock, logger }: ObservabilityWiring): Observability {
  metrics.watchPool(database.pool, poolSize);
  metrics.watchHealth(health);
  const port = config.metrics.port;
  const http =
    port === undefined
      ? undefined
      : new MetricsHttpServer({
          host: config.metrics.host,
          port,
          metrics,
          readiness: () => ({
            ready: health.isServing,
            reason: health.isDatabaseReachable ? 'not serving (starting or draining)' : 'database unreachable',
          }),
          logger,
        });
  return new Observability({
    http,
    refresher: new RefreshClusterGauges(new PgClusterGaugesStore(database.pool), metrics, clock, config.refreshIntervalMs, logger),
    databaseHealth: new WatchDatabaseHealth(new PgDatabaseProbe(database.url, config.healthCheckTimeoutMs), health, clock, config.healthCheckIntervalMs, logger),
  });
}
