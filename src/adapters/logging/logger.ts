import { pino, type Logger as PinoLogger } from 'pino';
import type { LogFormat, LogLevel } from '../config/config.js';

/** Creates the process logger: JSON lines on stdout, or human-readable lines when asked for. */
export function createLogger(options: { level: LogLevel; format: LogFormat }): PinoLogger {
  return pino({
    level: options.level,
    base: { service: 'jobscheduler' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } }
      : {}),
  });
}
