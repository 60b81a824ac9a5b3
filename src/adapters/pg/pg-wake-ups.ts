import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../application/ports/logger.js';
import type { WakeUps } from '../../application/ports/wake-ups.js';
import { LocalWakeUps } from '../memory/local-wake-ups.js';

const CHANNEL = 'jobscheduler_wakeups';
/** Longer payloads are sent as "all types" (NOTIFY payloads are limited to 8000 bytes). */
const MAX_TYPES_PAYLOAD = 7_000;
/** One NOTIFY per this window per replica: enough to coalesce a burst, short enough not to be felt. */
const DEBOUNCE_MS = 2;

interface Message {
  from: string;
  due: boolean;
  /** Running executions were cancelled or timed out (absent from older replicas). */
  leases?: boolean;
  /** A quota was set or deleted (absent from older replicas). */
  quotas?: boolean;
  /** Webhook subscriptions changed (absent from older replicas). */
  webhooks?: boolean;
  /** Webhook outbox rows were committed (absent from older replicas, and when none were). */
  deliveries?: boolean;
  /** Job types with newly queued executions; ["*"] for all. */
  types: string[];
}

/**
 * Wake-ups across replicas with LISTEN/NOTIFY. Listeners in this process are woken at once;
 * other replicas through one NOTIFY per debounce window, because every NOTIFY serialises commits
 * cluster-wide. The LISTEN connection is re-established after a failure; until then, and for
 * anything a notification misses, the loops' polling is the fallback.
 */
export class PgWakeUps implements WakeUps {
  private readonly local = new LocalWakeUps();
  private readonly id = randomUUID();
  private listener: pg.Client | undefined;
  private pending: { due: boolean; leases: boolean; quotas: boolean; webhooks: boolean; deliveries: boolean; types: Set<string> } | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.flush();
    await this.listener?.end().catch(() => undefined);
  }

  jobsDue(): void {
    this.local.jobsDue();
    this.enqueue({ due: true });
  }

  executionsQueued(jobTypes: readonly string[]): void {
    this.local.executionsQueued(jobTypes);
    this.enqueue({ types: jobTypes });
  }

  leasesChanged(): void {
    this.local.leasesChanged();
    this.enqueue({ leases: true });
  }

  quotasChanged(): void {
    this.local.quotasChanged();
    this.enqueue({ quotas: true });
  }

  onQuotasChanged(listener: () => void): () => void {
    return this.local.onQuotasChanged(listener);
  }

  onLeasesChanged(listener: () => void): () => void {
    return this.local.onLeasesChanged(listener);
  }

  webhooksChanged(): void {
    this.local.webhooksChanged();
    this.enqueue({ webhooks: true });
  }

  onWebhooksChanged(listener: () => void): () => void {
    return this.local.onWebhooksChanged(listener);
  }

  deliveriesQueued(): void {
    this.local.deliveriesQueued();
    this.enqueue({ deliveries: true });
  }

  onDeliveriesQueued(listener: () => void): () => void {
    return this.local.onDeliveriesQueued(listener);
  }

  onJobsDue(listener: () => void): () => void {
    return this.local.onJobsDue(listener);
  }

  onExecutionsQueued(listener: (jobTypes: readonly string[]) => void): () => void {
    return this.local.onExecutionsQueued(listener);
  }

  private enqueue(what: { due?: boolean; leases?: boolean; quotas?: boolean; webhooks?: boolean; deliveries?: boolean; types?: readonly string[] }): void {
    if (this.closed) return;
    if (!this.pending) {
      this.pending = { due: false, leases: false, quotas: false, webhooks: false, deliveries: false, types: new Set() };
      setTimeout(() => void this.flush(), DEBOUNCE_MS).unref();
    }
    this.pending.due ||= what.due ?? false;
    this.pending.leases ||= what.leases ?? false;
    this.pending.quotas ||= what.quotas ?? false;
    this.pending.webhooks ||= what.webhooks ?? false;
    this.pending.deliveries ||= what.deliveries ?? false;
    for (const type of what.types ?? []) this.pending.types.add(type);
  }

  private async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    let types = [...pending.types];
    if (JSON.stringify(types).length > MAX_TYPES_PAYLOAD) types = ['*'];
    const message: Message = { from: this.id, due: pending.due, leases: pending.leases, types, ...(pending.quotas ? { quotas: true } : {}), ...(pending.webhooks ? { webhooks: true } : {}), ...(pending.deliveries ? { deliveries: true } : {}) };
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(message)]);
    } catch (error) {
      this.logger.debug({ err: error }, 'could not send a wake-up; other replicas will poll');
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'jobscheduler-listener' });
    client.on('notification', (notification) => this.receive(notification.payload));
    client.on('error', (error) => this.reconnect(client, error));
    client.on('end', () => this.reconnect(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private receive(payload: string | undefined): void {
    let message: Message;
    try {
      message = JSON.parse(payload ?? '') as Message;
    } catch {
      return;
    }
    if (message.from === this.id) return;
    if (message.due) this.local.jobsDue();
    if (message.leases) this.local.leasesChanged();
    if (message.quotas) this.local.quotasChanged();
    if (message.webhooks) this.local.webhooksChanged();
    if (message.deliveries) this.local.deliveriesQueued();
    if (message.types.length > 0) this.local.executionsQueued(message.types.includes('*') ? ['*'] : message.types);
  }

  private reconnect(client: pg.Client, error: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = undefined;
    this.logger.warn({ err: error }, 'lost the LISTEN connection; polling until it is back');
    client.end().catch(() => undefined);
    const retry = () => {
      this.reconnectTimer = setTimeout(() => {
        if (this.closed) return;
        this.listen().then(
          () => {
            this.logger.info({}, 'LISTEN connection re-established');
            // Anything sent while we were away was missed: wake everyone once.
            this.local.jobsDue();
            this.local.executionsQueued(['*']);
            this.local.leasesChanged();
            this.local.quotasChanged();
            this.local.webhooksChanged();
            this.local.deliveriesQueued();
          },
          () => retry(),
        );
      }, 1_000);
      this.reconnectTimer.unref();
    };
    retry();
  }
}
