import type { AttemptRecord, ClaimedDelivery, ClaimLimits, DeliveryPageQuery, NewDelivery, WebhookDelivery, WebhookStore } from '../../application/ports/webhook-store.js';
import type { WebhookEventKind, WebhookSubscription } from '../../domain/webhook/subscription.js';
import type { Queryable } from './queryable.js';
import { EXPECTED_BY, OVERDUE } from './success-expectation-sql.js';

interface SubscriptionRow {
  id: string;
  scope: 'global' | 'job_type' | 'job';
  job_type: string | null;
  job_id: string | null;
  events: WebhookEventKind[];
  url: string;
  description: string;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_type: string;
  job_id: string | null;
  execution_id: string | null;
  payload: string;
  status: WebhookDelivery['status'];
  attempts: number;
  last_error: string | null;
  last_response_code: number | null;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  created_at: Date;
}

const SUBSCRIPTION_COLUMNS = 'id, scope, job_type, job_id, events, url, description, enabled, created_at, updated_at';
const DELIVERY_COLUMNS = 'id, subscription_id, event_type, job_id, execution_id, payload::text AS payload, status, attempts, last_error, last_response_code, next_attempt_at, last_attempt_at, created_at';
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** Subscriptions, the outbox and the delivery log on PostgreSQL (migration 009). */
export class PgWebhookStore implements WebhookStore {
  constructor(private readonly db: Queryable) {}

  async enqueue(deliveries: readonly NewDelivery[], now: Date): Promise<void> {
    if (deliveries.length === 0) return;
    // Joined with the subscriptions as committed now: one deleted or disabled meanwhile gets nothing.
    await this.db.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_type, job_id, execution_id, payload, next_attempt_at, created_at)
       SELECT d.id, d.subscription_id, d.event_type, d.job_id, d.execution_id, d.payload, $1, $1
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::jsonb[]) AS d(id, subscription_id, event_type, job_id, execution_id, payload)
       JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled`,
      [
        now,
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.subscriptionId),
        deliveries.map((d) => d.eventType),
        deliveries.map((d) => d.jobId),
        deliveries.map((d) => d.executionId ?? null),
        deliveries.map((d) => JSON.stringify(d.payload)),
      ],
    );
  }

  async enqueueOverdue(now: Date): Promise<number> {
    // INSERT … ON CONFLICT serialises replicas on the job's row: only the one whose insert or
    // update went through (a new deadline) gets the job back, and records its deliveries.
    const { rowCount } = await this.db.query(
      `WITH due AS (
         SELECT id, type, ${EXPECTED_BY} AS expected_by, last_success_at FROM jobs WHERE ${OVERDUE}
       ), forgotten AS (
         DELETE FROM webhook_overdue o WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = o.job_id)
       ), announced AS (
         INSERT INTO webhook_overdue (job_id, expected_by) SELECT id, expected_by FROM due
         ON CONFLICT (job_id) DO UPDATE SET expected_by = excluded.expected_by WHERE webhook_overdue.expected_by <> excluded.expected_by
         RETURNING job_id
       )
       INSERT INTO webhook_deliveries (id, subscription_id, event_type, job_id, payload, next_attempt_at, created_at)
       SELECT gen_random_uuid(), s.id, 'job.overdue', due.id,
              jsonb_build_object('type', 'job.overdue', 'timestamp', $2::text, 'data', jsonb_build_object(
                'job_id', due.id, 'job_type', due.type,
                'expected_by', to_char(due.expected_by AT TIME ZONE 'UTC', ${ISO}),
                'last_success_time', to_char(due.last_success_at AT TIME ZONE 'UTC', ${ISO}))),
              $1, $1
       FROM announced a JOIN due ON due.id = a.job_id
       JOIN webhook_subscriptions s ON s.enabled AND 'overdue' = ANY (s.events)
         AND (s.scope = 'global' OR (s.scope = 'job_type' AND s.job_type = due.type) OR (s.scope = 'job' AND s.job_id = due.id))`,
      [now, now.toISOString()],
    );
    return rowCount ?? 0;
  }

  async claimDue(now: Date, leaseUntil: Date, limits: ClaimLimits): Promise<ClaimedDelivery[]> {
    const busy = [...limits.busy];
    const { rows } = await this.db.query<{ id: string; subscription_id: string; payload: string; attempts: number; url: string; secret: string }>(
      `WITH busy AS (
         SELECT * FROM unnest($4::uuid[], $5::int[]) AS b(subscription_id, n)
       ), picked AS (
         SELECT d.id FROM webhook_subscriptions s
         LEFT JOIN busy b ON b.subscription_id = s.id
         CROSS JOIN LATERAL (
           SELECT id FROM webhook_deliveries d
           WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= $1
           ORDER BY d.next_attempt_at
           LIMIT greatest(0, $3 - coalesce(b.n, 0))
           FOR UPDATE SKIP LOCKED
         ) d
         WHERE s.enabled
         LIMIT $6
       )
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2, last_attempt_at = $1
       FROM picked p, webhook_subscriptions s
       WHERE d.id = p.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, d.payload::text AS payload, d.attempts, s.url, s.secret`,
      [now, leaseUntil, limits.perSubscription, busy.map(([id]) => id), busy.map(([, n]) => n), limits.total],
    );
    return rows.map((row) => ({ id: row.id, subscriptionId: row.subscription_id, payload: row.payload, attempt: row.attempts, url: row.url, secret: row.secret }));
  }

  async recordAttempt(id: string, attempt: number, record: AttemptRecord, now: Date): Promise<boolean> {
    const error = record.kind === 'delivered' ? null : record.error.slice(0, 1_000);
    const status = record.kind === 'retry' ? 'pending' : record.kind;
    const next = record.kind === 'retry' ? record.nextAttemptAt : null;
    const { rowCount } = await this.db.query(
      `UPDATE webhook_deliveries
       SET status = $3, next_attempt_at = $4, last_error = $5, last_response_code = $6,
           finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $7::timestamptz END
       WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [id, attempt, status, next, error, record.responseCode ?? null, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async prune(before: Date, batch: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND finished_at < $1 ORDER BY finished_at LIMIT $2)
         UNION ALL
         -- Orphans (an outcome that committed just after its subscription was deleted) are looked
         -- for among pending rows only, a partial index's worth; finished ones age out above.
         (SELECT d.id FROM webhook_deliveries d WHERE d.status = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.subscription_id) LIMIT $2))`,
      [before, batch],
    );
    return rowCount ?? 0;
  }

  async insertSubscription(subscription: WebhookSubscription, secret: string): Promise<void> {
    const { scope } = subscription;
    await this.db.query(
      `INSERT INTO webhook_subscriptions (id, scope, job_type, job_id, events, url, secret, description, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        subscription.id,
        scope.kind,
        scope.kind === 'job_type' ? scope.jobType : null,
        scope.kind === 'job' ? scope.jobId : null,
        subscription.events,
        subscription.url,
        secret,
        subscription.description,
        subscription.enabled,
        subscription.createdAt,
        subscription.updatedAt,
      ],
    );
  }

  async getSubscription(id: string): Promise<WebhookSubscription | undefined> {
    const { rows } = await this.db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1`, [id]);
    return rows[0] && subscriptionOf(rows[0]);
  }

  async listSubscriptions(after: { createdAt: Date; id: string } | undefined, limit: number): Promise<WebhookSubscription[]> {
    const { rows } = await this.db.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
       WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1, $2::uuid)
       ORDER BY created_at, id LIMIT $3`,
      [after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return rows.map(subscriptionOf);
  }

  async enabledSubscriptions(): Promise<WebhookSubscription[]> {
    const { rows } = await this.db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE enabled`);
    return rows.map(subscriptionOf);
  }

  async updateSubscription(subscription: WebhookSubscription): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE webhook_subscriptions SET events = $2, url = $3, description = $4, enabled = $5, updated_at = $6 WHERE id = $1',
      [subscription.id, subscription.events, subscription.url, subscription.description, subscription.enabled, subscription.updatedAt],
    );
    return (rowCount ?? 0) > 0;
  }

  async setSecret(id: string, secret: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE webhook_subscriptions SET secret = $2, updated_at = $3 WHERE id = $1', [id, secret, now]);
    return (rowCount ?? 0) > 0;
  }

  async deleteSubscription(id: string): Promise<boolean> {
    const { rows } = await this.db.query<{ found: boolean }>(
      `WITH gone AS (DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING id),
            log AS (DELETE FROM webhook_deliveries WHERE subscription_id IN (SELECT id FROM gone))
       SELECT count(*) > 0 AS found FROM gone`,
      [id],
    );
    return rows[0]?.found ?? false;
  }

  async listDeliveries(query: DeliveryPageQuery): Promise<WebhookDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
       WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [query.subscriptionId, query.status ?? null, query.before?.createdAt ?? null, query.before?.id ?? null, query.limit],
    );
    return rows.map((row) => ({
      id: row.id,
      subscriptionId: row.subscription_id,
      eventType: row.event_type,
      jobId: row.job_id ?? undefined,
      executionId: row.execution_id ?? undefined,
      payload: row.payload,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error ?? undefined,
      lastResponseCode: row.last_response_code ?? undefined,
      nextAttemptAt: row.next_attempt_at ?? undefined,
      lastAttemptAt: row.last_attempt_at ?? undefined,
      createdAt: row.created_at,
    }));
  }
}

function subscriptionOf(row: SubscriptionRow): WebhookSubscription {
  const scope: WebhookSubscription['scope'] =
    row.scope === 'job_type' ? { kind: 'job_type', jobType: row.job_type as string } : row.scope === 'job' ? { kind: 'job', jobId: row.job_id as string } : { kind: 'global' };
  return { id: row.id, scope, events: row.events, url: row.url, description: row.description, enabled: row.enabled, createdAt: row.created_at, updatedAt: row.updated_at };
}
