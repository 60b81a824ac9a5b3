import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries an assertion until it passes or `timeoutMs` of real time is spent. For waiting on
 * asynchronous work (a background loop's transaction committing), not for waiting on the
 * scheduler's notion of time, which tests move with the fake clock.
 */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}
