import type pg from 'pg';

/**
 * A statement that each connection parses and plans once, under `name`, and afterwards only
 * binds and runs. For the statements that read or write one job's or one execution's row on the
 * hot paths (create, hand-off, outcome, GetJob), where parsing and planning cost about as much as
 * running (docs/performance.md, "Prepared statements"). Only for statements whose plan cannot
 * depend on the values: lookups by primary key, record sets and id lists, which the planner does
 * not see into anyway. One text per name.
 */
export function prepared(name: string, text: string, values: unknown[]): pg.QueryConfig {
  return { name, text, values };
}
