/**
 * The dead-man's switch in SQL, as successExpectation() computes it for one job. One copy, so the
 * cluster gauges and GetSchedulerMetrics agree, and the queries keep matching the partial index
 * jobs_success_expected (migration 003), whose predicate is SWITCH_ARMED.
 */
export const SWITCH_ARMED = `expect_success_within_ms IS NOT NULL AND state <> 'cancelled'`;
export const EXPECTED_BY = `coalesce(last_success_at, created_at) + expect_success_within_ms * interval '1 millisecond'`;
/** Overdue at $1. */
export const OVERDUE = `${SWITCH_ARMED} AND ${EXPECTED_BY} < $1`;
