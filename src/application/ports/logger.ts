/**
 * The logging the core needs. Structured fields first, then the message, so any structured logger
 * (pino in production, a recorder in tests) fits without an adapter.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(fields: object): Logger;
  /** Whether lines of this level are written; lets hot paths skip building fields nobody reads. Absent: assume yes. */
  isLevelEnabled?(level: 'debug' | 'info'): boolean;
}
