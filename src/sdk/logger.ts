export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Receives the worker's own events: refused outcomes, lost leases, connection trouble. A
 * function so any logging library fits, e.g. `(level, message, fields) => pino[level](fields, message)`.
 */
export type WorkerLogger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** The default: warnings and errors to stderr, nothing else. */
export const consoleLogger: WorkerLogger = (level, message, fields) => {
  if (level === 'warn' || level === 'error') console.error(`[jobscheduler worker] ${level}: ${message}`, ...(fields ? [fields] : []));
};

/** Never lets a throwing logger break the worker. */
export function safeLogger(logger: WorkerLogger): WorkerLogger {
  return (level, message, fields) => {
    try {
      logger(level, message, fields);
    } catch {
      // A logger that throws must not take the worker down with it.
    }
  };
}
