import type { Migration } from './migration.js';

/**
 * Placeholder: id 5 belongs to the observability branch, which is merged separately. Migration
 * ids must be 1, 2, 3 …, so this branch holds the place with an empty step; the merge replaces
 * it with that branch's migration 5.
 */
export const reserved5: Migration = {
  id: 5,
  name: 'reserved',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
};
