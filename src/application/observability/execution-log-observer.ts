import type { Execution } from '../../domain/execution/execution.js';
import { durationMs as runTimeMs } from '../../domain/execution/execution-operations.js';
import type { EngineObserver } from '../ports/engine-observer.js';
import type { Logger } from '../ports/logger.js';

/** The fields every log line about an execution carries. */
export function executionFields(execution: Execution): Record<string, unknown> {
  return { job_id: execution.jobId, execution_id: execution.id, type: execution.jobType, attempt: execution.attempt };
}

/**
 * Logs the engine's work, one line per execution with job_id, execution_id, type and attempt:
 * queued, started and finished at debug, failures at info (the reaper already warns about
 * lost and timed-out attempts), so an execution can be followed through the logs by its id.
 */
export class ExecutionLogObserver implements EngineObserver {
  constructor(private readonly logger: Logger) {}

  /** Debug lines are off in production: then the per-execution fields are not even built. */
  private get debug(): boolean {
    return this.logger.isLevelEnabled?.('debug') ?? true;
  }

  queued(executions: readonly Execution[]): void {
    if (!this.debug) return;
    for (const execution of executions) {
      this.logger.debug({ ...executionFields(execution), trigger: execution.trigger, scheduled_at: execution.scheduledAt.toISOString() }, 'execution queued');
    }
  }

  started(executions: readonly Execution[]): void {
    if (!this.debug) return;
    for (const execution of executions) {
      this.logger.debug({ ...executionFields(execution), worker_id: execution.workerId, lag_ms: lagMs(execution) }, 'execution started');
    }
  }

  finished(executions: readonly Execution[]): void {
    const debug = this.debug;
    for (const execution of executions) {
      if (!debug && execution.status !== 'failed') continue;
      const fields = { ...executionFields(execution), status: execution.status, worker_id: execution.workerId, duration_ms: durationMs(execution) };
      if (execution.status === 'failed') this.logger.info({ ...fields, error: execution.error?.message, retryable: execution.error?.retryable }, 'execution failed');
      else this.logger.debug(fields, `execution ${execution.status}`);
    }
  }

  dispatchPass(durationMs: number, jobs: number, fired: number, skipped: number): void {
    if (jobs > 0 && this.debug) this.logger.debug({ duration_ms: durationMs, jobs, fired, skipped }, 'dispatcher pass');
  }
}

/** Started minus scheduled: how late the work began. */
export function lagMs(execution: Execution): number | undefined {
  return execution.startedAt === undefined ? undefined : Math.max(0, execution.startedAt.getTime() - execution.scheduledAt.getTime());
}

/** Finished minus started; undefined for executions that never started (cancelled while queued). */
export function durationMs(execution: Execution): number | undefined {
  const ms = runTimeMs(execution);
  return ms === undefined ? undefined : Math.max(0, ms);
}

/** One observer that tells several, each guarded so one that throws cannot hurt the others or the engine. */
export function combineObservers(observers: readonly EngineObserver[], logger: Logger): EngineObserver {
  const each = (call: (observer: EngineObserver) => void) => {
    for (const observer of observers) {
      try {
        call(observer);
      } catch (error) {
        logger.error({ err: error }, 'engine observer failed');
      }
    }
  };
  return {
    queued: (executions) => each((o) => o.queued(executions)),
    started: (executions) => each((o) => o.started(executions)),
    finished: (executions) => each((o) => o.finished(executions)),
    dispatchPass: (durationMs, jobs, fired, skipped) => each((o) => o.dispatchPass(durationMs, jobs, fired, skipped)),
    throttled: (keys) => each((o) => o.throttled?.(keys)),
    webhookAttempt: (outcome, durationMs) => each((o) => o.webhookAttempt?.(outcome, durationMs)),
  };
}
