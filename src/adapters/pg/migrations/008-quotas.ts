import type { Migration } from './migration.js';

/**
 * Quotas. One row per key (job type, label key, label value; '' for none), locked FOR UPDATE by
 * every claim of the type, which serialises the claims of quota'd types cluster-wide and so makes
 * "count, then start up to the headroom" exact. Running executions are counted from the
 * executions table itself (no counter to drift, nothing to repair after a crash); starts within
 * the rate limit's period from quota_starts, written in the claim that starts them and pruned
 * there once older than the period. No index is added to executions: every execution would pay
 * for it, and the running set is bounded by the workers' slots.
 */
export const quotas: Migration = {
  id: 8,
  name: 'quotas',
  up: `
CREATE TABLE job_quotas (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_type text NOT NULL,
  label_key text NOT NULL DEFAULT '',
  label_value text NOT NULL DEFAULT '',
  max_running integer CHECK (max_running >= 1),
  rate_max_starts integer CHECK (rate_max_starts >= 1),
  rate_period_ms bigint CHECK (rate_period_ms >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (job_type, label_key, label_value),
  CONSTRAINT job_quotas_label_pair CHECK ((label_key = '') = (label_value = '')),
  CONSTRAINT job_quotas_rate_pair CHECK ((rate_max_starts IS NULL) = (rate_period_ms IS NULL)),
  CONSTRAINT job_quotas_some_limit CHECK (max_running IS NOT NULL OR rate_max_starts IS NOT NULL)
);
CREATE TABLE quota_starts (
  quota_id bigint NOT NULL REFERENCES job_quotas (id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL
);
CREATE INDEX quota_starts_recent ON quota_starts (quota_id, started_at);
`,
  down: `
DROP TABLE quota_starts;
DROP TABLE job_quotas;
`,
};
