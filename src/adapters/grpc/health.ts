import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

/**
 * grpc.health.v1 for the whole server ("") and for each of our services. Everything starts
 * NOT_SERVING and turns SERVING only once the database answers; draining turns it back.
 */
export class HealthReporter {
  private readonly health: HealthImplementation;
  private serving = false;

  constructor(private readonly serviceNames: readonly string[]) {
    this.health = new HealthImplementation(Object.fromEntries(['', ...serviceNames].map((name) => [name, 'NOT_SERVING'])));
  }

  addToServer(server: Server): void {
    this.health.addToServer(server);
  }

  get isServing(): boolean {
    return this.serving;
  }

  setServing(serving: boolean): void {
    this.serving = serving;
    for (const name of ['', ...this.serviceNames]) this.health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  }
}
