import { status } from '@grpc/grpc-js';

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, base × 2^n)],
 * so workers that lost the same server do not come back in lockstep.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs = 100,
    private readonly maxMs = 5_000,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return Math.max(10, Math.round(Math.random() * ceiling));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const TRANSIENT = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.ABORTED, status.INTERNAL, status.UNKNOWN, status.CANCELLED]);

/** Whether a failed call may succeed if simply tried again (server restarting, overloaded, network). */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'number' || TRANSIENT.has(code);
}

/** The gRPC status name and message of a failed call, for logs. */
export function describeCallError(error: unknown): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'number' ? (status[code] ?? code) : undefined, error: error instanceof Error ? error.message : String(error) };
}
