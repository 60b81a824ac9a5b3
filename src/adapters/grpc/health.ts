import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

/**
 * grpc.health.v1 for the whole server ("") and for each of our services. Everything starts
 * NOT_SERVING and turns SERVING only once the database answers; draining turns it back.
 * SERVING needs both: the runtime says so (started, not draining) and the database probe says
 * the database answers.
 */
export class HealthReporter {
  private readonly health: HealthImplementation;
  /** The whole server ("") and each service. */
  private readonly names: readonly string[];
  private lifecycleServing = false;
  private databaseReachable = true;

  constructor(serviceNames: readonly string[]) {
    this.names = ['', ...serviceNames];
    this.health = new HealthImplementation(Object.fromEntries(this.names.map((name) => [name, 'NOT_SERVING'])));
  }

  addToServer(server: Server): void {
    this.health.addToServer(server);
  }

  get isServing(): boolean {
    return this.lifecycleServing && this.databaseReachable;
  }

  get isDatabaseReachable(): boolean {
    return this.databaseReachable;
  }

  /** The runtime: true once started, false while draining. */
  setServing(serving: boolean): void {
    this.lifecycleServing = serving;
    this.publish();
  }

  /** The database probe (WatchDatabaseHealth). */
  setDatabaseReachable(reachable: boolean): void {
    this.databaseReachable = reachable;
    this.publish();
  }

  private publish(): void {
    const status = this.isServing ? 'SERVING' : 'NOT_SERVING';
    for (const name of this.names) this.health.setStatus(name, status);
  }
}
