/**
 * The only source of "now" for the core. Production uses the system clock; tests drive a fake one
 * so that time-dependent behaviour is tested against a real database without sleeping.
 */
export interface Clock {
  now(): Date;
}
