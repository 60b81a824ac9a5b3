import type { Migration } from './migration.js';

/**
 * The lease an attempt ended under. An outcome whose answer was lost (the connection broke, the
 * call timed out) is sent again under the same lease; with the token the service recognises it
 * and answers as it did the first time, instead of refusing an outcome it has recorded. Nullable
 * and without a default: adding it rewrites nothing, and executions that ended before it have
 * none (their repeats are refused, as before).
 */
export const endedLeaseToken: Migration = {
  id: 10,
  name: 'ended lease token',
  up: `ALTER TABLE executions ADD COLUMN IF NOT EXISTS ended_lease_token uuid;`,
  down: `ALTER TABLE executions DROP COLUMN IF EXISTS ended_lease_token;`,
};
