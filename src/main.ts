import { ConfigError, loadConfig, type Config } from './adapters/config/config.js';
import type { Logger } from './application/ports/logger.js';
import { createLogger } from './adapters/logging/logger.js';
import { startTracing, type ServiceTracing } from './adapters/tracing/setup.js';

/**
 * Entry point: validate the configuration, start one replica, and stop it in order on SIGINT or
 * SIGTERM. A bad configuration value or a failed start exits non-zero with one line naming the
 * cause.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`jobscheduler: configuration error: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.log);
  let runtime;
  let tracing: ServiceTracing | undefined;
  try {
    tracing = await startTracing(process.env);
    if (tracing) logger.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318' }, 'tracing on: spans go to the OTLP endpoint');
    // Loaded after tracing started, so the instrumentation patches pg before anything imports it.
    const { startService } = await import('./adapters/di/container.js');
    ({ runtime } = await startService(config, { logger, ...(tracing ? { tracing } : {}) }));
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    process.stderr.write(`jobscheduler: start-up failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, 'signal received while stopping; the shutdown goes on');
      return;
    }
    stopping = true;
    runtime
      .stop(`received ${signal}`)
      .then(() => flushSpans(tracing, logger))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.fatal({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  // Listening for the whole shutdown, not once: a later signal would otherwise kill the process
  // mid-drain. Ctrl-C under `npm start` always sends two, the terminal's and the one npm forwards.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The last spans (the drain's) go out before the exit, but an unreachable collector does not hold the exit up. */
async function flushSpans(tracing: ServiceTracing | undefined, logger: Logger): Promise<void> {
  if (!tracing) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('the OTLP endpoint did not answer within 3 s'), FLUSH_LIMIT_MS)));
  const failure = await Promise.race([tracing.shutdown().then(() => undefined, (error: unknown) => String(error)), gaveUp]);
  clearTimeout(timer);
  if (failure) logger.warn({ reason: failure }, 'tracing: the last spans could not be sent');
}

const FLUSH_LIMIT_MS = 3_000;

void main();
