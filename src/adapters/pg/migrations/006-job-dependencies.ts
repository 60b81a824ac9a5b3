import type { Migration } from './migration.js';

/**
 * Job dependencies. One row per (downstream, upstream) edge; `satisfied_by` holds the latest
 * upstream execution whose outcome met the condition since the downstream last fired from its
 * upstreams, and is cleared by that fire. The flags on jobs let the hot path skip all of this
 * for jobs without dependencies: has_downstream is read with the job row the outcome already
 * locks, and has_upstream guards the subquery that lists a job's depends_on.
 *
 * The after_upstream schedule has no clock fire times, so a waiting job of that kind is
 * scheduled without next_run_at; executions fired by upstream jobs name the upstream executions.
 */
export const jobDependencies: Migration = {
  id: 6,
  name: 'job dependencies',
  up: `
CREATE TABLE job_dependencies (
  downstream_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  upstream_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 1),
  condition text NOT NULL CHECK (condition IN ('success', 'failure', 'completion')),
  satisfied_by uuid,
  satisfied_at timestamptz,
  PRIMARY KEY (downstream_id, upstream_id),
  CONSTRAINT job_dependencies_not_self CHECK (downstream_id <> upstream_id),
  CONSTRAINT job_dependencies_satisfied_has_time CHECK ((satisfied_by IS NULL) = (satisfied_at IS NULL))
);
-- Settling an upstream's occurrence: its downstream jobs.
CREATE INDEX job_dependencies_upstream ON job_dependencies (upstream_id);
ALTER TABLE jobs
  ADD COLUMN has_upstream boolean NOT NULL DEFAULT false,
  ADD COLUMN has_downstream boolean NOT NULL DEFAULT false,
  DROP CONSTRAINT jobs_schedule_check,
  ADD CONSTRAINT jobs_schedule_check CHECK (schedule->>'kind' IN ('once', 'interval', 'cron', 'after_upstream')),
  DROP CONSTRAINT jobs_waiting_states_have_next_run,
  ADD CONSTRAINT jobs_waiting_states_have_next_run CHECK (
    state NOT IN ('pending', 'scheduled') OR next_run_at IS NOT NULL OR (state = 'scheduled' AND schedule->>'kind' = 'after_upstream'));
ALTER TABLE executions
  ADD COLUMN upstream_execution_ids uuid[],
  DROP CONSTRAINT executions_trigger_check,
  ADD CONSTRAINT executions_trigger_check CHECK (trigger IN ('schedule', 'retry', 'run_now', 'manual_retry', 'upstream'));
`,
  down: `
DELETE FROM executions WHERE trigger = 'upstream';
DELETE FROM jobs WHERE schedule->>'kind' = 'after_upstream';
ALTER TABLE executions
  DROP CONSTRAINT executions_trigger_check,
  ADD CONSTRAINT executions_trigger_check CHECK (trigger IN ('schedule', 'retry', 'run_now', 'manual_retry')),
  DROP COLUMN upstream_execution_ids;
ALTER TABLE jobs
  DROP CONSTRAINT jobs_waiting_states_have_next_run,
  ADD CONSTRAINT jobs_waiting_states_have_next_run CHECK (state NOT IN ('pending', 'scheduled') OR next_run_at IS NOT NULL),
  DROP CONSTRAINT jobs_schedule_check,
  ADD CONSTRAINT jobs_schedule_check CHECK (schedule->>'kind' IN ('once', 'interval', 'cron')),
  DROP COLUMN has_downstream,
  DROP COLUMN has_upstream;
DROP TABLE job_dependencies;
`,
};
