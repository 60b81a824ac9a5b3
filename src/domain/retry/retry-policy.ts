import { DomainError } from '../errors.js';

/** How failed attempts are retried. Durations in milliseconds. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retries. */
  readonly maxRetries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
  /** Fraction of the delay that is randomised away: a delay d becomes uniform in [d × (1 − jitter), d]. */
  readonly jitter: number;
}

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;

/** The original scheduler's defaults: 3 retries, 60 s doubling, capped at one hour, no jitter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, initialBackoffMs: 60 * SECOND, maxBackoffMs: HOUR, multiplier: 2, jitter: 0 };

export interface RetryPolicyInput {
  maxRetries?: number | undefined;
  initialBackoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
  multiplier?: number | undefined;
  jitter?: number | undefined;
}

/** Fills defaults and checks ranges; messages name the field as the API spells it. */
export function retryPolicy(input: RetryPolicyInput = {}): RetryPolicy {
  const initialBackoffMs = input.initialBackoffMs ?? DEFAULT_RETRY_POLICY.initialBackoffMs;
  const policy: RetryPolicy = {
    maxRetries: input.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    initialBackoffMs,
    // An unset cap never contradicts the first delay: an initial backoff over the 1 h default
    // would otherwise be refused for a field the caller did not set.
    maxBackoffMs: input.maxBackoffMs ?? Math.max(DEFAULT_RETRY_POLICY.maxBackoffMs, initialBackoffMs),
    // Unset or 0 (proto3's default) means the default; NaN is refused below.
    multiplier: input.multiplier === undefined || input.multiplier === 0 ? DEFAULT_RETRY_POLICY.multiplier : input.multiplier,
    jitter: input.jitter ?? DEFAULT_RETRY_POLICY.jitter,
  };
  inRange('retry_policy.max_retries', policy.maxRetries, 0, 100, true);
  inRange('retry_policy.initial_backoff', policy.initialBackoffMs, SECOND, DAY, false, 'ms');
  inRange('retry_policy.max_backoff', policy.maxBackoffMs, policy.initialBackoffMs, 7 * DAY, false, 'ms');
  inRange('retry_policy.multiplier', policy.multiplier, 1, 10);
  inRange('retry_policy.jitter', policy.jitter, 0, 1);
  return policy;
}

function inRange(field: string, value: number, min: number, max: number, integer = false, unit = ''): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const bound = (n: number) => (unit === 'ms' ? formatMs(n) : String(n));
    throw DomainError.invalidArgument(`${field} must be ${integer ? 'a whole number ' : ''}from ${bound(min)} to ${bound(max)}, got ${unit === 'ms' && Number.isFinite(value) ? formatMs(value) : String(value)}`);
  }
}

function formatMs(ms: number): string {
  return ms % SECOND === 0 ? `${ms / SECOND}s` : `${ms}ms`;
}

/**
 * The delay before retry n (n = 1 for the first retry): min(initial × multiplier^(n−1), max),
 * then jittered down by up to `jitter` of itself. `random` is uniform in [0, 1); the core takes it
 * as a parameter so it stays deterministic under test.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = () => 0): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be a whole number ≥ 1, got ${retry}`);
  const exponential = policy.initialBackoffMs * policy.multiplier ** (retry - 1);
  const capped = Math.min(exponential, policy.maxBackoffMs);
  return Math.round(capped * (1 - policy.jitter * random()));
}

export type RetryDecision = { readonly retry: true; readonly delayMs: number; readonly nextAttempt: number } | { readonly retry: false; readonly reason: string };

/** After attempt `attempt` (1-based) failed: retry (with which delay) or give up (why). */
export function decideRetry(policy: RetryPolicy, attempt: number, retryable: boolean, random?: () => number): RetryDecision {
  if (!retryable) return { retry: false, reason: 'the worker reported the failure as not retryable' };
  if (attempt > policy.maxRetries) {
    return { retry: false, reason: `all ${policy.maxRetries} retr${policy.maxRetries === 1 ? 'y' : 'ies'} used` };
  }
  return { retry: true, delayMs: backoffDelayMs(policy, attempt, random), nextAttempt: attempt + 1 };
}
