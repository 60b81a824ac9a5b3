import type { Migration } from './migration.js';

/**
 * The dead-man's switch queries (the cluster gauges every METRICS_REFRESH_INTERVAL on every
 * replica, and GetSchedulerMetrics) looked for jobs with expect_success_within set by reading
 * every job: on 1,000,000 jobs two sequential scans of about 200 ms each per refresh. Few jobs
 * set the switch, so a partial index holding only those makes both proportional to them.
 *
 * Building it reads the jobs table once while writes to it wait (about a second per million
 * jobs). On a large live table, create it beforehand without blocking writers, and this
 * migration then finds it in place:
 *   CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_success_expected ON jobs (type)
 *     WHERE expect_success_within_ms IS NOT NULL AND state <> 'cancelled';
 */
export const deadMansSwitchIndex: Migration = {
  id: 3,
  name: "dead man's switch index",
  up: `
CREATE INDEX IF NOT EXISTS jobs_success_expected ON jobs (type) WHERE expect_success_within_ms IS NOT NULL AND state <> 'cancelled';
`,
  down: `
DROP INDEX IF EXISTS jobs_success_expected;
`,
};
