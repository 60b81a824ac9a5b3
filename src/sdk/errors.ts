/**
 * Throw (or reject with) this from a handler when another attempt cannot help, for example a
 * payload that fails validation: the execution fails and the job's retry policy is skipped.
 * Any error with a `retryable: false` property is treated the same way.
 */
export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
  readonly retryable = false as const;
}

/** Why a handler's signal aborted. */
export type AbortKind =
  /** An operator cancelled the execution (or its job), or its attempt timeout passed. */
  | 'cancelled'
  /** The lease is gone: it expired, was revoked, or no heartbeat reached the server in time. */
  | 'lease_lost'
  /** stop() ran out of time while the handler was still running. */
  | 'worker_stopped';

/**
 * The reason of an aborted handler signal (`job.signal.reason`). Whatever the handler does
 * afterwards, its outcome is not reported for `cancelled` and `lease_lost` (the server would
 * refuse it), and was already reported as a retryable failure for `worker_stopped`.
 */
export class ExecutionAbortedError extends Error {
  override readonly name: string = 'ExecutionAbortedError';

  constructor(
    readonly kind: AbortKind,
    message: string,
  ) {
    super(message);
  }
}
