import type { WakeUps } from '../../application/ports/wake-ups.js';

/** Wake-ups within one process: listeners are called synchronously. */
export class LocalWakeUps implements WakeUps {
  private readonly due = new Set<() => void>();
  private readonly queued = new Set<(types: readonly string[]) => void>();
  private readonly leases = new Set<() => void>();
  private readonly quotas = new Set<() => void>();
  private readonly webhooks = new Set<() => void>();
  private readonly deliveries = new Set<() => void>();

  deliveriesQueued(): void {
    for (const listener of this.deliveries) listener();
  }

  onDeliveriesQueued(listener: () => void): () => void {
    this.deliveries.add(listener);
    return () => this.deliveries.delete(listener);
  }

  webhooksChanged(): void {
    for (const listener of this.webhooks) listener();
  }

  onWebhooksChanged(listener: () => void): () => void {
    this.webhooks.add(listener);
    return () => this.webhooks.delete(listener);
  }

  jobsDue(): void {
    for (const listener of this.due) listener();
  }

  executionsQueued(jobTypes: readonly string[]): void {
    for (const listener of this.queued) listener(jobTypes);
  }

  leasesChanged(): void {
    for (const listener of this.leases) listener();
  }

  quotasChanged(): void {
    for (const listener of this.quotas) listener();
  }

  onQuotasChanged(listener: () => void): () => void {
    this.quotas.add(listener);
    return () => this.quotas.delete(listener);
  }

  onLeasesChanged(listener: () => void): () => void {
    this.leases.add(listener);
    return () => this.leases.delete(listener);
  }

  onJobsDue(listener: () => void): () => void {
    this.due.add(listener);
    return () => this.due.delete(listener);
  }

  onExecutionsQueued(listener: (jobTypes: readonly string[]) => void): () => void {
    this.queued.add(listener);
    return () => this.queued.delete(listener);
  }
}
