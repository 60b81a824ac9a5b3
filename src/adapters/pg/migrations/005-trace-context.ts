import type { Migration } from './migration.js';

/**
 * The W3C trace context (traceparent, tracestate) of the call that created a job, and of the
 * span each execution was fired in, so the trace reaches the worker that runs it. Nullable and
 * without a default: adding the columns rewrites nothing, and rows written while tracing is off
 * (and every row from before) simply have none.
 */
export const traceContext: Migration = {
  id: 5,
  name: 'trace context',
  up: `
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS trace_parent text, ADD COLUMN IF NOT EXISTS trace_state text;
ALTER TABLE executions ADD COLUMN IF NOT EXISTS trace_parent text, ADD COLUMN IF NOT EXISTS trace_state text;
`,
  down: `
ALTER TABLE executions DROP COLUMN IF EXISTS trace_parent, DROP COLUMN IF EXISTS trace_state;
ALTER TABLE jobs DROP COLUMN IF EXISTS trace_parent, DROP COLUMN IF EXISTS trace_state;
`,
};
