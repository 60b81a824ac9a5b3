/** How deliveries are retried: exponential backoff from `initialMs`, capped, up to `maxAttempts`. */
export interface DeliveryRetryPolicy {
  readonly maxAttempts: number;
  readonly initialMs: number;
  readonly maxMs: number;
}

/** After `attempts` failed attempts: the delay before the next, or undefined when none follows. */
export function nextDeliveryDelay(policy: DeliveryRetryPolicy, attempts: number): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempts - 1));
}
