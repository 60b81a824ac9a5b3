import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { ExecutionRecord, JobRecord, WorkLine } from './chaos-model.js';

/** Every job, as analyseRun sees it. */
export async function readJobs(pool: pg.Pool): Promise<JobRecord[]> {
  const { rows } = await pool.query<{ id: string; mode: string; kind: string; max_retries: number; state: string }>(
    `SELECT id, payload->>'mode' AS mode, schedule->>'kind' AS kind, (retry_policy->>'maxRetries')::int AS max_retries, state FROM jobs`,
  );
  return rows.map((r) => ({ id: r.id, mode: r.mode, recurring: r.kind !== 'once', maxRetries: r.max_retries, state: r.state }));
}

/** Every execution, as analyseRun sees it. */
export async function readExecutions(pool: pg.Pool): Promise<ExecutionRecord[]> {
  const { rows } = await pool.query<{
    id: string;
    job_id: string;
    occurrence_at: Date;
    attempt: number;
    status: string;
    queued_at: Date;
    started_at: Date | null;
    finished_at: Date | null;
    worker_id: string | null;
    error_retryable: boolean | null;
  }>(`SELECT id, job_id, occurrence_at, attempt, status, queued_at, started_at, finished_at, worker_id, error_retryable FROM executions`);
  return rows.map((r) => ({
    id: r.id,
    jobId: r.job_id,
    occurrenceAt: r.occurrence_at.getTime(),
    attempt: r.attempt,
    status: r.status,
    queuedAt: r.queued_at.getTime(),
    startedAt: r.started_at?.getTime(),
    finishedAt: r.finished_at?.getTime(),
    workerId: r.worker_id ?? undefined,
    retryable: r.error_retryable ?? undefined,
  }));
}

/** Every line of every worker's log; a line cut short by SIGKILL is skipped. */
export function readWorkLines(dir: string): WorkLine[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return line ? [JSON.parse(line) as WorkLine] : [];
          } catch {
            return [];
          }
        }),
    );
}
