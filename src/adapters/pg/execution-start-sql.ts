/**
 * What starting an execution writes, shared by every claim: $2 now, $4 the worker, $5 the lease
 * in ms, $6 the lease tokens, paired by picked.rank. The attempt's deadline is its timeout from
 * now, or the close of its execution window (end policy CANCEL) if earlier; LEAST ignores NULLs.
 * The domain's attemptDeadline() computes the same for executions handed off in the creating
 * transaction.
 */
export const START_ASSIGNMENTS = `
         status = 'running', started_at = $2, worker_id = $4, lease_token = ($6::uuid[])[picked.rank],
         lease_duration_ms = $5::bigint, lease_expires_at = $2::timestamptz + $5::bigint * interval '1 millisecond',
         deadline_at = LEAST(
           CASE WHEN e.attempt_timeout_ms IS NULL THEN NULL ELSE $2::timestamptz + e.attempt_timeout_ms * interval '1 millisecond' END,
           e.window_closes_at)`;

/** A queued execution whose window already closed is not handed out: the reaper cancels it (claimWindowClosed). */
export const WINDOW_STILL_OPEN = `(e.window_closes_at IS NULL OR e.window_closes_at > $2)`;
