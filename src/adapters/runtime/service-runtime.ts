import type { Logger } from '../../application/ports/logger.js';
import type { GrpcServer } from '../grpc/grpc-server.js';
import type { HealthReporter } from '../grpc/health.js';
import type { Database } from '../pg/database.js';

export interface ServiceRuntimeParts {
  database: Database;
  server: GrpcServer;
  health: HealthReporter;
  logger: Logger;
  /** Aborted first on shutdown: long polls return and handlers see their signal. */
  shutdown: AbortController;
  shutdownGraceMs: number;
}

/**
 * Starts and stops the parts of one replica in order. Start: database (already open), listener,
 * then SERVING. Stop: NOT_SERVING (load balancers drain us), stop taking calls and let running
 * ones finish within the grace period, and close the database last, since draining needs it.
 */
export class ServiceRuntime {
  private stopping: Promise<void> | undefined;

  constructor(private readonly parts: ServiceRuntimeParts) {}

  get address(): string {
    return this.parts.server.address;
  }

  async start(): Promise<string> {
    const address = await this.parts.server.start();
    this.parts.health.setServing(true);
    this.parts.logger.info({ address, database: this.parts.database.description }, 'JobScheduler started');
    return address;
  }

  /** Idempotent: a second signal during shutdown waits for the first one to finish. */
  stop(reason = 'shutdown requested'): Promise<void> {
    this.stopping ??= this.shutDown(reason);
    return this.stopping;
  }

  private async shutDown(reason: string): Promise<void> {
    const { logger, health, server, database, shutdown, shutdownGraceMs } = this.parts;
    logger.info({ reason, grace_ms: shutdownGraceMs }, 'JobScheduler stopping');
    health.setServing(false);
    shutdown.abort();
    await server.stop(shutdownGraceMs);
    await database.close();
    logger.info({}, 'JobScheduler stopped');
  }
}
