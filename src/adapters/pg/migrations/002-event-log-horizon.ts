import type { Migration } from './migration.js';

/**
 * Where pruning of the execution event log has reached, so a watcher resuming from a cursor
 * older than that is told (OUT_OF_RANGE) instead of silently skipping the pruned events.
 */
export const eventLogHorizon: Migration = {
  id: 2,
  name: 'event log horizon',
  up: `
CREATE TABLE event_log_horizon (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  pruned_xid xid8 NOT NULL DEFAULT '0',
  pruned_id bigint NOT NULL DEFAULT 0
);
INSERT INTO event_log_horizon DEFAULT VALUES;
`,
  down: `
DROP TABLE event_log_horizon;
`,
};
