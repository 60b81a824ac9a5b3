import type { Clock } from '../../src/application/ports/clock.js';

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. sleep() resolves when advance() passes its wake time
 * (or its signal aborts), so background loops driven by this clock run exactly when a test
 * moves time, against a real database, without real waiting.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | string = '2026-01-05T09:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { wakeAt: this.current + Math.max(0, ms), resolve };
      const wake = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        // Loops reuse one signal for many sleeps: a listener left on it would pile up.
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      sleeper.resolve = wake;
      signal?.addEventListener('abort', wake, { once: true });
      if (ms <= 0) return wake();
      this.sleepers.push(sleeper);
    });
  }

  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): Date {
    this.current += ms;
    for (const sleeper of this.sleepers.filter((s) => s.wakeAt <= this.current)) sleeper.resolve();
    return this.now();
  }

  set(to: Date | string): Date {
    const target = new Date(to).getTime();
    if (target < this.current) throw new Error('a fake clock only moves forward');
    return this.advance(target - this.current);
  }
}
