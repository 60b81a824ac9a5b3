/**
 * Wake-ups between the parts of the engine, across replicas: "a job may have become due sooner
 * than planned" wakes dispatchers, "executions of these types were queued" wakes idle workers'
 * long polls and work sessions, "leases changed" (an execution was cancelled or timed out while
 * running) makes work sessions check their leases at once, "quotas changed" makes every replica
 * reload which job types have quotas, "deliveries queued" (a commit wrote webhook outbox rows)
 * wakes the delivery loops. Delivery is best effort; polling remains the fallback.
 */
export interface WakeUps {
  jobsDue(): void;
  executionsQueued(jobTypes: readonly string[]): void;
  leasesChanged(): void;
  quotasChanged(): void;
  onJobsDue(listener: () => void): () => void;
  onExecutionsQueued(listener: (jobTypes: readonly string[]) => void): () => void;
  onLeasesChanged(listener: () => void): () => void;
  onQuotasChanged(listener: () => void): () => void;
  /** Webhook subscriptions changed: every replica reloads its copy (SubscriptionRouter). */
  webhooksChanged(): void;
  onWebhooksChanged(listener: () => void): () => void;
  /** Webhook outbox rows were committed: called only after such a commit, never for one without. */
  deliveriesQueued(): void;
  onDeliveriesQueued(listener: () => void): () => void;
}
