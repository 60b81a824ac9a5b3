import type { Logger } from '../../src/application/ports/logger.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A Logger that keeps every line (children included) for tests to look at. */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bound: Record<string, unknown> = {},
  ) {}

  debug(fields: object, message: string): void {
    this.record('debug', fields, message);
  }

  info(fields: object, message: string): void {
    this.record('info', fields, message);
  }

  warn(fields: object, message: string): void {
    this.record('warn', fields, message);
  }

  error(fields: object, message: string): void {
    this.record('error', fields, message);
  }

  child(fields: object): Logger {
    return new RecordingLogger(this.entries, { ...this.bound, ...fields });
  }

  /** Entries whose message contains `text`. */
  matching(text: string): LogEntry[] {
    return this.entries.filter((entry) => entry.message.includes(text));
  }

  private record(level: LogEntry['level'], fields: object, message: string): void {
    this.entries.push({ level, fields: { ...this.bound, ...fields }, message });
  }
}
