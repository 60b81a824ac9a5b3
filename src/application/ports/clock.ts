/**
 * The only source of time for the core: "now", and waiting. Production uses the system clock;
 * tests drive a fake one (advance() wakes sleepers), so time-dependent behaviour is tested
 * against a real database without sleeping.
 */
export interface Clock {
  now(): Date;
  /** Resolves after `ms` of this clock's time, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
