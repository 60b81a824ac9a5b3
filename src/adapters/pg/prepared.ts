import type pg from 'pg';
import { arrayLiteral, isArrayElement } from './array-literal.js';

/**
 * A statement that each connection parses and plans once, under `name`, and afterwards only
 * binds and runs. For the statements that read or write one job's or one execution's row on the
 * hot paths (create, hand-off, outcome, GetJob), where parsing and planning cost about as much as
 * running (docs/performance.md, "Prepared statements"). Only for statements whose plan cannot
 * depend on the values: lookups by primary key, record sets and id lists, which the planner does
 * not see into anyway, and one job's history by its job id (GetJobStats, a job's ListExecutions).
 * One text per name. A flat array parameter (ids, texts, numbers, instants) goes out as a literal
 * built by arrayLiteral rather than by the driver; any other value, a jsonb[] of objects
 * included, as the driver writes it.
 */
export function prepared(name: string, text: string, values: unknown[]): pg.QueryConfig {
  return { name, text, values: values.map(parameter) };
}

function parameter(value: unknown): unknown {
  return Array.isArray(value) && value.every(isArrayElement) ? arrayLiteral(value) : value;
}
