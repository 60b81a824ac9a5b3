import type { Migration } from './migration.js';

/**
 * Jobs, executions and the execution event log. Constraints make illegal rows unrepresentable
 * (states and statuses are checked, a running execution always has a lease, a finished one a
 * finish time, one execution per job + occurrence + attempt); indexes serve the hot queries
 * named next to them. docs/schema.md explains each choice.
 */
export const jobsAndExecutions: Migration = {
  id: 1,
  name: 'jobs and executions',
  up: `
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  type text NOT NULL CHECK (type ~ '^[A-Za-z0-9._:-]{1,100}$'),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  payload jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  schedule jsonb NOT NULL CHECK (schedule->>'kind' IN ('once', 'interval', 'cron')),
  retry_policy jsonb NOT NULL,
  attempt_timeout_ms bigint CHECK (attempt_timeout_ms > 0),
  priority integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  overlap_policy text NOT NULL CHECK (overlap_policy IN ('skip', 'allow')),
  catch_up_policy text NOT NULL CHECK (catch_up_policy IN ('skip', 'run_once', 'run_all')),
  catch_up_window_ms bigint NOT NULL CHECK (catch_up_window_ms > 0),
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  pause_after_consecutive_failures integer NOT NULL DEFAULT 0 CHECK (pause_after_consecutive_failures >= 0),
  expect_success_within_ms bigint CHECK (expect_success_within_ms > 0),
  state text NOT NULL CHECK (state IN ('pending', 'scheduled', 'running', 'paused', 'completed', 'failed', 'cancelled')),
  next_run_at timestamptz,
  version bigint NOT NULL CHECK (version >= 1),
  active_occurrences integer NOT NULL DEFAULT 0 CHECK (active_occurrences >= 0),
  execution_count bigint NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
  consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  last_error text NOT NULL DEFAULT '',
  last_run_at timestamptz,
  last_success_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  paused_at timestamptz,
  cancelled_at timestamptz,
  finished_at timestamptz,
  request_id text,
  request_fingerprint text,
  -- Nothing fires on its own from these states.
  CONSTRAINT jobs_idle_states_have_no_next_run CHECK (state NOT IN ('paused', 'completed', 'failed', 'cancelled') OR next_run_at IS NULL),
  -- Waiting states always know when they fire.
  CONSTRAINT jobs_waiting_states_have_next_run CHECK (state NOT IN ('pending', 'scheduled') OR next_run_at IS NOT NULL),
  CONSTRAINT jobs_cancelled_has_time CHECK (state <> 'cancelled' OR cancelled_at IS NOT NULL),
  CONSTRAINT jobs_paused_has_time CHECK (state <> 'paused' OR paused_at IS NOT NULL),
  CONSTRAINT jobs_request_id_has_fingerprint CHECK ((request_id IS NULL) = (request_fingerprint IS NULL))
);

-- The dispatcher's query: due jobs in next_run_at order, only among states that can fire.
CREATE INDEX jobs_due ON jobs (next_run_at) WHERE state IN ('pending', 'scheduled', 'running');
-- ListJobs, newest first, keyset-paginated; with and without a type filter.
CREATE INDEX jobs_newest ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_by_type ON jobs (type, created_at DESC, id DESC);
CREATE INDEX jobs_by_state ON jobs (state, created_at DESC, id DESC);
-- Label filters (labels @> '{"k":"v"}').
CREATE INDEX jobs_labels ON jobs USING gin (labels jsonb_path_ops);
-- CreateJob idempotency.
CREATE UNIQUE INDEX jobs_request_id ON jobs (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE executions (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  job_type text NOT NULL,
  number bigint NOT NULL CHECK (number >= 1),
  occurrence_at timestamptz NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'retry', 'run_now', 'manual_retry')),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'lost')),
  priority integer NOT NULL,
  attempt_timeout_ms bigint,
  queued_at timestamptz NOT NULL,
  scheduled_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  worker_id text,
  lease_token uuid,
  lease_duration_ms bigint,
  lease_expires_at timestamptz,
  deadline_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  error_message text,
  error_details jsonb,
  error_retryable boolean,
  result jsonb,
  progress jsonb,
  -- One attempt per occurrence: a double fire is impossible even under a bug.
  CONSTRAINT executions_one_attempt_per_occurrence UNIQUE (job_id, occurrence_at, attempt),
  -- Numbers are per job, assigned from jobs.execution_count, never reused. Also serves the job's
  -- history newest first (ORDER BY number DESC).
  CONSTRAINT executions_number_per_job UNIQUE (job_id, number),
  CONSTRAINT executions_running_has_lease CHECK ((status = 'running') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CONSTRAINT executions_started_has_time CHECK (status = 'queued' OR status = 'cancelled' OR started_at IS NOT NULL),
  CONSTRAINT executions_finished_has_time CHECK ((status IN ('queued', 'running')) = (finished_at IS NULL))
);

-- AcquireExecutions: queued work of a type, highest priority first, then the earliest due.
CREATE INDEX executions_queue ON executions (job_type, priority DESC, scheduled_at, id) WHERE status = 'queued';
-- The reaper: expired leases and passed attempt deadlines.
CREATE INDEX executions_leases ON executions (lease_expires_at) WHERE status = 'running';
CREATE INDEX executions_deadlines ON executions (deadline_at) WHERE status = 'running' AND deadline_at IS NOT NULL;
-- ListExecutions over all jobs, newest first (keyset); the per-job listing uses the number key.
CREATE INDEX executions_newest ON executions (queued_at DESC, id DESC);
-- Active executions of a job (cancel, delete, overlap bookkeeping).
CREATE INDEX executions_active ON executions (job_id) WHERE status IN ('queued', 'running');
-- Metrics over a recent window and retention by age.
CREATE INDEX executions_finished ON executions (finished_at) WHERE finished_at IS NOT NULL;

-- The cluster-wide event log WatchExecutions streams from. Readers only see rows whose
-- transaction id is below the oldest transaction still running (pg_snapshot_xmin), and page in
-- (xid, id) order: every row they can see is final, and every row added later sorts after
-- them, so a cursor never skips or repeats an event however commits interleave.
CREATE TABLE execution_events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  occurred_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('queued', 'started', 'succeeded', 'failed', 'cancelled', 'timed_out', 'lost')),
  execution_id uuid NOT NULL,
  job_id uuid NOT NULL,
  job_type text NOT NULL,
  PRIMARY KEY (xid, id)
);
CREATE INDEX execution_events_occurred ON execution_events (occurred_at);

-- Cluster-wide counters that must survive restarts (the original kept them in process memory).
CREATE TABLE scheduler_counters (
  name text PRIMARY KEY,
  value bigint NOT NULL DEFAULT 0,
  updated_at timestamptz
);
INSERT INTO scheduler_counters (name) VALUES ('leases_rescued'), ('last_dispatch');
`,
  down: `
DROP TABLE scheduler_counters;
DROP TABLE execution_events;
DROP TABLE executions;
DROP TABLE jobs;
`,
};
