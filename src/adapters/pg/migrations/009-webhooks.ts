import type { Migration } from './migration.js';

/**
 * Webhook notifications. `webhook_subscriptions` holds what to send where (scope: every job, a
 * type or one job; the events; the URL and its signing secret). `webhook_deliveries` is at once
 * the outbox and the delivery log: a row is written in the transaction that records an outcome
 * (or by the dead-man's-switch scan) and then updated by the delivery loop after each attempt.
 * It has no foreign key to the subscription on purpose: an outcome must never fail or wait
 * because a subscription is being deleted at that moment; the loop drops orphans, and deleting a
 * subscription deletes its deliveries. `webhook_overdue` remembers the deadline (expected_by)
 * each overdue job was announced for, so that every replica's scan emits one event per episode;
 * it has no foreign key either (jobs are deleted, and truncated by tools, without knowing of it):
 * the scan drops rows of jobs that are gone.
 */
export const webhooks: Migration = {
  // 9 once the windows (007) and quotas (008) migrations are merged before it; ids must be contiguous.
  id: 9,
  name: 'webhooks',
  up: `
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('global', 'job_type', 'job')),
  job_type text,
  job_id uuid,
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  url text NOT NULL,
  secret text NOT NULL,
  description text NOT NULL DEFAULT '',
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT webhook_subscriptions_scope_target CHECK (
    (scope = 'global' AND job_type IS NULL AND job_id IS NULL)
    OR (scope = 'job_type' AND job_type IS NOT NULL AND job_id IS NULL)
    OR (scope = 'job' AND job_id IS NOT NULL AND job_type IS NULL))
);
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  subscription_id uuid NOT NULL,
  event_type text NOT NULL,
  job_id uuid,
  execution_id uuid,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  last_error text,
  last_response_code integer,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  CONSTRAINT webhook_deliveries_pending_has_next CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
-- The delivery loop: due rows of each subscription, oldest first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending';
-- The delivery log of a subscription, newest first; retention by age.
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, created_at DESC, id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE status <> 'pending';
CREATE TABLE webhook_overdue (
  job_id uuid PRIMARY KEY,
  expected_by timestamptz NOT NULL
);
`,
  down: `
DROP TABLE webhook_overdue;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
`,
};
