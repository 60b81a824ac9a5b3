import type { RefreshClusterGauges } from '../../application/observability/refresh-cluster-gauges.js';
import type { WatchDatabaseHealth } from '../../application/observability/watch-database-health.js';
import type { MetricsHttpServer } from './metrics-http-server.js';

export interface ObservabilityParts {
  /** Absent with METRICS_PORT=off. */
  http: MetricsHttpServer | undefined;
  refresher: RefreshClusterGauges;
  databaseHealth: WatchDatabaseHealth;
}

/**
 * Metrics, the database health probe and the HTTP endpoints of one replica, started and stopped
 * together by the service runtime. The probe and the refresher run even with the HTTP endpoint
 * off: gRPC health depends on the probe, and the overdue-job log lines on the refresher.
 */
export class Observability {
  constructor(readonly parts: ObservabilityParts) {}

  /** host:port of /metrics, /healthz and /readyz; undefined when the endpoint is off or not started. */
  get metricsAddress(): string | undefined {
    try {
      return this.parts.http?.address;
    } catch {
      return undefined;
    }
  }

  async start(): Promise<void> {
    await this.parts.http?.start();
    this.parts.databaseHealth.start();
    this.parts.refresher.start();
  }

  /** Stops the loops (before the pool closes) and the HTTP endpoint. */
  async stop(): Promise<void> {
    await Promise.all([this.parts.refresher.stop(), this.parts.databaseHealth.stop()]);
    await this.parts.http?.stop();
  }
}
