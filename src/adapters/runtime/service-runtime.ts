import type { SchedulerEngine } from '../../application/engine/scheduler-engine.js';
import type { Logger } from '../../application/ports/logger.js';
import type { GrpcServer } from '../grpc/grpc-server.js';
import type { HttpApiServer } from '../http/http-api-server.js';
import type { HealthReporter } from '../grpc/health.js';
import type { Observability } from '../metrics/observability.js';
import type { Database } from '../pg/database.js';
import type { PgWakeUps } from '../pg/pg-wake-ups.js';
import type { WorkSessions } from '../../application/worker/work-sessions.js';
import type { DeliverWebhooks } from '../../application/webhooks/deliver-webhooks.js';
import type { WebhookSubscriptions } from '../../application/webhooks/webhook-subscriptions.js';

export interface ServiceRuntimeParts {
  database: Database;
  wakeUps: PgWakeUps;
  engine: SchedulerEngine;
  engineEnabled: boolean;
  /** Work streams' group commit and lease extension: on every replica, as workers may connect to any. */
  workSessions: WorkSessions;
  server: GrpcServer;
  /** The HTTP API and dashboard (HTTP_PORT); absent with HTTP_PORT=off. */
  http?: HttpApiServer | undefined;
  health: HealthReporter;
  logger: Logger;
  /** Aborted first on shutdown: long polls return and handlers see their signal. */
  shutdown: AbortController;
  shutdownGraceMs: number;
  /** Metrics endpoint, database health probe, cluster gauges (absent in tests that build a runtime by hand). */
  observability?: Observability;
  /** Webhook subscriptions (loaded on every replica: any may record an outcome) and the delivery loop (with the engine). */
  webhooks?: { subscriptions: WebhookSubscriptions; delivery: DeliverWebhooks | undefined };
}

/**
 * Starts and stops the parts of one replica in order. Start: database (open and migrated),
 * metrics endpoint and database probe, wake-ups, engine loops, listener, then SERVING. Stop:
 * NOT_SERVING (load balancers drain us), stop claiming due jobs (and the probe and metrics
 * loops), end long polls and let running calls finish within the grace period (so outcomes
 * workers report now are still recorded), and close the database last.
 */
export class ServiceRuntime {
  private stopping: Promise<void> | undefined;

  constructor(private readonly parts: ServiceRuntimeParts) {}

  get address(): string {
    return this.parts.server.address;
  }

  /** http(s)://host:port of the HTTP API and dashboard; undefined with HTTP_PORT=off. */
  get httpAddress(): string | undefined {
    return this.parts.http?.address;
  }

  async start(): Promise<string> {
    try {
      return await this.startParts();
    } catch (error) {
      // Whatever did start (loops, LISTEN, the pool) is stopped again, so a failed start leaves nothing running.
      await this.stop('start-up failed').catch(() => undefined);
      throw error;
    }
  }

  private async startParts(): Promise<string> {
    // First, so a taken metrics port fails the start before this replica fires anything.
    await this.parts.observability?.start();
    await this.parts.wakeUps.start();
    await this.parts.webhooks?.subscriptions.start();
    this.parts.workSessions.start();
    if (this.parts.engineEnabled) this.parts.engine.start();
    if (this.parts.engineEnabled) this.parts.webhooks?.delivery?.start();
    const address = await this.parts.server.start();
    const http = (await this.parts.http?.start()) ?? null;
    this.parts.health.setServing(true);
    this.parts.logger.info(
      { address, http, dashboard: http === null ? null : `${http}/`, metrics: this.parts.observability?.metricsAddress ?? null, database: this.parts.database.description },
      // A fixed message: log pipelines and the test harness wait for it; the addresses are fields.
      'JobScheduler started',
    );
    return address;
  }

  /** Idempotent: a second signal during shutdown waits for the first one to finish. */
  stop(reason = 'shutdown requested'): Promise<void> {
    this.stopping ??= this.shutDown(reason);
    return this.stopping;
  }

  private async shutDown(reason: string): Promise<void> {
    const { logger, health, engine, server, wakeUps, database, shutdown, shutdownGraceMs } = this.parts;
    logger.info({ reason, grace_ms: shutdownGraceMs }, 'JobScheduler stopping');
    health.setServing(false);
    await engine.stop();
    // Requests in flight end within WEBHOOK_TIMEOUT and are recorded; nothing new is claimed.
    await this.parts.webhooks?.delivery?.stop();
    this.parts.webhooks?.subscriptions.stop();
    await this.parts.observability?.stop();
    shutdown.abort();
    // Work streams answer the outcomes they received, then end; their workers reconnect elsewhere.
    await Promise.all([server.stop(shutdownGraceMs), this.parts.http?.stop(shutdownGraceMs)]);
    await this.parts.workSessions.stop();
    await wakeUps.stop();
    await database.close();
    logger.info({}, 'JobScheduler stopped');
  }
}
