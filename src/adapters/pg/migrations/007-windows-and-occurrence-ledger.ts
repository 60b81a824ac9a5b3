import type { Migration } from './migration.js';

/**
 * Execution windows and the occurrence ledger. A job's windows are part of its definition
 * (jsonb, validated by the domain). An execution fired in a window whose end policy is CANCEL
 * carries the window's close, which the claim folds into deadline_at.
 *
 * The ledger holds only the slots that did not fire: fired slots are the executions themselves
 * (attempt 1, whose occurrence_at is the slot and whose scheduled_at is the window opening a
 * deferral moved it to), so the hot path writes nothing more. A run of slots dropped for one
 * reason since the job's last fire (`since`) is one row with a count, extended in place by the
 * firing transaction (which holds the job's lock), so a job paused for a year or skipping a slot
 * a minute all night writes one row, not thousands.
 */
export const windowsAndOccurrenceLedger: Migration = {
  id: 7,
  name: 'execution windows and the occurrence ledger',
  up: `
ALTER TABLE jobs ADD COLUMN execution_windows jsonb;
ALTER TABLE executions ADD COLUMN window_closes_at timestamptz;
-- The reaper: queued executions whose window closed before a worker took them.
CREATE INDEX executions_window_closed ON executions (window_closes_at) WHERE status = 'queued' AND window_closes_at IS NOT NULL;
CREATE TABLE occurrence_ledger (
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  reason text NOT NULL CHECK (reason IN ('missed', 'overlap', 'window')),
  since timestamptz NOT NULL,
  first_slot_at timestamptz NOT NULL,
  last_slot_at timestamptz NOT NULL,
  slot_count bigint NOT NULL CHECK (slot_count >= 1),
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (job_id, reason, since),
  CONSTRAINT occurrence_ledger_ordered CHECK (last_slot_at >= first_slot_at)
);
-- ListOccurrences: a job's entries by slot time.
CREATE INDEX occurrence_ledger_slots ON occurrence_ledger (job_id, first_slot_at);
-- Retention by age.
CREATE INDEX occurrence_ledger_recorded ON occurrence_ledger (recorded_at);
`,
  down: `
DROP TABLE occurrence_ledger;
ALTER TABLE executions DROP COLUMN window_closes_at;
ALTER TABLE jobs DROP COLUMN execution_windows;
`,
};
