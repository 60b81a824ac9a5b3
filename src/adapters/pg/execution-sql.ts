import type { AcquireRequest, ExecutionChange, ExecutionCursor, ExecutionFilter, ExecutionPage, ExecutionStore, RetentionPolicy } from '../../application/ports/execution-store.js';
import { compareQueueOrder, type Execution } from '../../domain/execution/execution.js';
import { DURATION_SAMPLE } from '../../domain/statistics/execution-statistics.js';
import { computeStatisticsFromAggregates } from './execution-statistics-sql.js';
import { EXECUTION_COLUMNS, EXECUTION_MUTABLE_COLUMNS, executionFromRow, executionMutableRecord, executionToRecord, type ExecutionRow } from './execution-row.js';
import type { Queryable } from './queryable.js';
import { claimWithinQuotas, TYPES_WITHOUT_QUOTA } from './quota-claim-sql.js';
import { START_ASSIGNMENTS, WINDOW_STILL_OPEN } from './execution-start-sql.js';
import { assignments, idAnd, recordsetColumns } from './recordset.js';
import { prepared } from './prepared.js';

const COLUMNS = Object.keys(EXECUTION_COLUMNS).join(', ');
// GetJobStats of a job with at most this many executions uses the statement planned once.
const PLANNED_ONCE_UP_TO = 1_000;
// One pass over the job's rows for the counts; run times over the latest DURATION_SAMPLE
// (backwards on executions_number_per_job); consecutive failures only after the newest success
// (a success is always its occurrence's latest attempt, so the newest one bounds the walk).
const STATISTICS = `WITH counts AS (
    SELECT status, count(*) AS n, max(number) AS last_number,
           max(finished_at) FILTER (WHERE status = 'succeeded') AS last_success_at,
           max(finished_at) FILTER (WHERE status IN ('failed', 'timed_out', 'lost')) AS last_failure_at
    FROM executions WHERE job_id = $1 GROUP BY status),
  durations AS (
    SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM executions
    WHERE job_id = $1 AND finished_at IS NOT NULL AND started_at IS NOT NULL ORDER BY number DESC LIMIT $2),
  latest AS (
    SELECT DISTINCT ON (occurrence_at) status FROM executions
    WHERE job_id = $1 AND number > coalesce((SELECT max(number) FROM executions WHERE job_id = $1 AND status = 'succeeded'), 0)
    ORDER BY occurrence_at, attempt DESC, number DESC)
  SELECT
    (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM counts) AS by_status,
    (SELECT avg(ms) FROM durations) AS mean_ms,
    (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM durations) AS p50_ms,
    (SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) FROM durations) AS p95_ms,
    (SELECT max(last_number) FROM counts) AS last_number,
    (SELECT max(last_success_at) FROM counts) AS last_success_at,
    (SELECT max(last_failure_at) FROM counts) AS last_failure_at,
    (SELECT count(*) FROM latest WHERE status IN ('failed', 'timed_out', 'lost')) AS consecutive_failures`;
const QUALIFIED = Object.keys(EXECUTION_COLUMNS)
  .map((name) => `e.${name}`)
  .join(', ');
const RECORDSET = recordsetColumns(EXECUTION_COLUMNS);
const MUTABLE_COLUMN_TYPES = idAnd(EXECUTION_COLUMNS, EXECUTION_MUTABLE_COLUMNS);
const MUTABLE_RECORDSET = recordsetColumns(MUTABLE_COLUMN_TYPES);
const MUTABLE_ASSIGNMENTS = assignments(MUTABLE_COLUMN_TYPES);

/** All SQL about executions. "now" always comes in as a parameter. */
// The ids again as an array in UPDATE: the planner cannot see how many rows jsonb_to_recordset
// yields (it assumes 100) and hash-joined a sequential scan of the whole table; with the ids it
// looks each row up by primary key.
const UPDATE = `UPDATE executions SET ${MUTABLE_ASSIGNMENTS}
  FROM jsonb_to_recordset($1::jsonb) AS c(${MUTABLE_RECORDSET}, expected_status text, expected_token uuid)
  WHERE executions.id = ANY($2::uuid[]) AND executions.id = c.id AND executions.status = c.expected_status
    AND (c.expected_token IS NULL OR executions.lease_token = c.expected_token)
  RETURNING executions.id`;
const INSERT = `INSERT INTO executions (${COLUMNS}) SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS c(${RECORDSET})`;
// The statement's snapshot, as the plain claim's quota filter: a quota committed before it began is seen.
const INSERT_REPORTING_QUOTA_TYPES = `WITH inserted AS (${INSERT} RETURNING job_type, status)
  SELECT DISTINCT i.job_type FROM inserted i WHERE i.status = 'running' AND EXISTS (SELECT 1 FROM job_quotas q WHERE q.job_type = i.job_type)`;

export class PgExecutionStore implements ExecutionStore {
  constructor(private readonly db: Queryable) {}

  async get(id: string): Promise<Execution | undefined> {
    const { rows } = await this.db.query<ExecutionRow>(prepared('executions.get', `SELECT ${COLUMNS} FROM executions WHERE id = $1`, [id]));
    return rows[0] && executionFromRow(rows[0]);
  }

  async getMany(ids: readonly string[]): Promise<Execution[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<ExecutionRow>(prepared('executions.get-many', `SELECT ${COLUMNS} FROM executions WHERE id = ANY($1::uuid[]) ORDER BY id`, [[...new Set(ids)]]));
    return rows.map(executionFromRow);
  }

  async nextAttempts(executions: readonly Execution[]): Promise<Execution[]> {
    if (executions.length === 0) return [];
    // By executions_one_attempt_per_occurrence (job_id, occurrence_at, attempt).
    const { rows } = await this.db.query<ExecutionRow>(
      prepared(
        'executions.next-attempts',
        `SELECT ${COLUMNS} FROM executions
         WHERE (job_id, occurrence_at, attempt) IN (SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::integer[]))
         ORDER BY id`,
        [executions.map((e) => e.jobId), executions.map((e) => e.occurrenceAt), executions.map((e) => e.attempt + 1)],
      ),
    );
    return rows.map(executionFromRow);
  }

  async insert(executions: readonly Execution[]): Promise<void> {
    if (executions.length === 0) return;
    await this.db.query(prepared('executions.insert', INSERT, [JSON.stringify(executions.map(executionToRecord))]));
  }

  async insertReportingQuotaTypes(executions: readonly Execution[]): Promise<string[]> {
    if (executions.length === 0) return [];
    const { rows } = await this.db.query<{ job_type: string }>(prepared('executions.insert-reporting-quota-types', INSERT_REPORTING_QUOTA_TYPES, [JSON.stringify(executions.map(executionToRecord))]));
    return rows.map((row) => row.job_type);
  }

  async acquire(request: AcquireRequest, newToken: () => string): Promise<Execution[]> {
    const limited = request.quotas ? request.jobTypes.filter((type) => request.quotas?.limitedTypes.has(type)) : [];
    const withinQuotas = limited.length > 0 ? await claimWithinQuotas(this.db, request, limited, newToken) : [];
    const unlimited = limited.length > 0 ? request.jobTypes.filter((type) => !limited.includes(type)) : request.jobTypes;
    const capacity = request.capacity - withinQuotas.length;
    if (capacity <= 0 || unlimited.length === 0) return withinQuotas;
    const others = await this.acquireUnlimited({ ...request, jobTypes: unlimited, capacity }, newToken);
    return withinQuotas.length === 0 ? others : [...withinQuotas, ...others].sort(compareQueueOrder);
  }

  /** The claim of types without quotas (a type that has one after all is skipped). */
  private async acquireUnlimited(request: AcquireRequest, newToken: () => string): Promise<Execution[]> {
    const tokens = Array.from({ length: request.capacity }, newToken);
    // Tokens are generated by the service (the IdGenerator port) and paired with rows by rank.
    // $5 is used as a bigint column value and in interval arithmetic, so it needs its type
    // spelled out: left to inference, PostgreSQL deduces two different types and refuses.
    //
    // One ordered scan of the executions_queue index per type (job_type leads the index, so an
    // equality on it yields rows in queue order and LIMIT stops the scan early), then the best
    // $3 of those. Filtering with job_type = ANY($1) instead read every queued row of the types
    // and sorted them on every call: an acquire cost grew with the backlog, and draining a burst
    // of 20,000 executions took 6.5 ms per acquire. Each type contributes its first $3 lockable
    // rows, a superset of its share of the overall first $3, so the result is the same; the
    // extra rows locked are released when this short transaction commits.
    const { rows } = await this.db.query<ExecutionRow>(
      `WITH picked AS (
         SELECT id, row_number() OVER () AS rank FROM (
           SELECT q.id FROM ${TYPES_WITHOUT_QUOTA} AS t
           CROSS JOIN LATERAL (
             SELECT e.id, e.priority, e.scheduled_at FROM executions e
             WHERE e.status = 'queued' AND e.job_type = t.job_type AND e.scheduled_at <= $2 AND ${WINDOW_STILL_OPEN}
             ORDER BY priority DESC, scheduled_at, id
             LIMIT $3 FOR UPDATE SKIP LOCKED) AS q
           ORDER BY q.priority DESC, q.scheduled_at, q.id
           LIMIT $3) AS due
       )
       UPDATE executions e SET ${START_ASSIGNMENTS}
       FROM picked WHERE e.id = picked.id
       RETURNING ${QUALIFIED}`,
      [[...request.jobTypes], request.now, request.capacity, request.workerId, request.leaseDurationMs, tokens],
    );
    // RETURNING comes in no particular order: restore the queue order, ties by id as picked.
    return rows.map(executionFromRow).sort(compareQueueOrder);
  }

  async lockLeased(leases: readonly { id: string; leaseToken: string }[]): Promise<Execution[]> {
    if (leases.length === 0) return [];
    const { rows } = await this.db.query<ExecutionRow>(
      prepared(
        'executions.lock-leased',
        `SELECT ${QUALIFIED} FROM executions e JOIN unnest($1::uuid[], $2::uuid[]) AS l(id, token) ON e.id = l.id AND e.lease_token = l.token
         WHERE e.status = 'running' ORDER BY e.id FOR UPDATE OF e`,
        [leases.map((l) => l.id), leases.map((l) => l.leaseToken)],
      ),
    );
    return rows.map(executionFromRow);
  }

  async lock(ids: readonly string[]): Promise<Execution[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<ExecutionRow>(prepared('executions.lock', `SELECT ${COLUMNS} FROM executions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [[...ids]]));
    return rows.map(executionFromRow);
  }

  async lockActive(jobId: string): Promise<Execution[]> {
    const { rows } = await this.db.query<ExecutionRow>(
      `SELECT ${COLUMNS} FROM executions WHERE job_id = $1 AND status IN ('queued', 'running') ORDER BY id FOR UPDATE`,
      [jobId],
    );
    return rows.map(executionFromRow);
  }

  async claimWindowClosed(now: Date, limit: number): Promise<Execution[]> {
    // executions_window_closed (migration 7) holds only queued rows with a close: few, or none.
    const { rows } = await this.db.query<ExecutionRow>(
      `SELECT ${COLUMNS} FROM executions WHERE status = 'queued' AND window_closes_at <= $1
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(executionFromRow);
  }

  async claimExpired(now: Date, limit: number): Promise<Execution[]> {
    // SKIP LOCKED must apply where the candidates are chosen: picking `limit` candidates first
    // and skipping the locked ones afterwards left every reaper but one with nothing, however
    // many other leases had expired. Only running rows qualify, and the partial indexes
    // executions_leases and executions_deadlines hold just those, so this never reads the history.
    const { rows } = await this.db.query<ExecutionRow>(
      `SELECT ${COLUMNS} FROM executions
       WHERE status = 'running' AND (lease_expires_at < $1 OR deadline_at < $1)
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(executionFromRow);
  }

  async heartbeat(leases: readonly { id: string; leaseToken: string; progress: Execution['progress'] }[], now: Date): Promise<Execution[]> {
    if (leases.length === 0) return [];
    // Rows are locked in id order first, as every other statement that locks several executions
    // does (lockLeased, lock, lockActive): an UPDATE … FROM locks in whatever order its join
    // meets the rows, and deadlocked against ReportOutcomes under load.
    const { rows } = await this.db.query<ExecutionRow>(
      `WITH l AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) AS l(id, token, progress)),
       held AS (
         SELECT e.id, l.progress FROM executions e JOIN l ON e.id = l.id AND e.lease_token = l.token
         WHERE e.status = 'running' ORDER BY e.id FOR UPDATE OF e)
       UPDATE executions e SET
         lease_expires_at = $4::timestamptz + e.lease_duration_ms * interval '1 millisecond',
         progress = COALESCE(held.progress, e.progress)
       FROM held WHERE e.id = held.id
       RETURNING ${QUALIFIED}`,
      [leases.map((l) => l.id), leases.map((l) => l.leaseToken), leases.map((l) => (l.progress === undefined ? null : JSON.stringify(l.progress))), now],
    );
    return rows.map(executionFromRow);
  }

  async update(changes: readonly ExecutionChange[]): Promise<Set<string>> {
    if (changes.length === 0) return new Set();
    // The mutable columns last: keys added after a spread take V8's slow path (job-row.ts).
    const records = changes.map((c) => ({ id: c.execution.id, expected_status: c.expectedStatus, expected_token: c.expectedLeaseToken ?? null, ...executionMutableRecord(c.execution) }));
    const { rows } = await this.db.query<{ id: string }>(prepared('executions.update', UPDATE, [JSON.stringify(records), changes.map((c) => c.execution.id)]));
    return new Set(rows.map((row) => row.id));
  }

  async nextScheduledAt(jobTypes: readonly string[], now: Date): Promise<Date | undefined> {
    const { rows } = await this.db.query<{ at: Date | null }>(
      `SELECT min(scheduled_at) AS at FROM executions WHERE status = 'queued' AND job_type = ANY($1::text[]) AND scheduled_at > $2`,
      [[...jobTypes], now],
    );
    return rows[0]?.at ?? undefined;
  }

  async list(filter: ExecutionFilter, after: ExecutionCursor | undefined, limit: number): Promise<ExecutionPage> {
    const { rows } = await this.db.query<ExecutionRow>(isOneJob(filter) ? oneJobPage(filter.jobId, after, limit) : filteredPage(filter, after, limit));
    const executions = rows.slice(0, limit).map(executionFromRow);
    const last = executions.at(-1);
    return { executions, next: rows.length > limit && last ? { queuedAt: last.queuedAt, number: last.number, id: last.id } : undefined };
  }

  async statistics(jobId: string, executionCount = Infinity) {
    const values = [jobId, DURATION_SAMPLE];
    // Planned once per connection, PostgreSQL keeps a plan made for a typical job, which read a
    // history of 500,000 executions 1.6 times slower than a plan made for it (docs/performance.md,
    // "One job's history, planned once"). Past PLANNED_ONCE_UP_TO, planning is a small share anyway.
    const { rows } = await this.db.query(executionCount <= PLANNED_ONCE_UP_TO ? prepared('executions.statistics', STATISTICS, values) : { text: STATISTICS, values });
    return computeStatisticsFromAggregates(rows[0] as Record<string, unknown>);
  }

  async prune(policy: RetentionPolicy, now: Date, batch: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM executions WHERE id IN (
         SELECT e.id FROM executions e JOIN jobs j ON j.id = e.job_id
         WHERE e.finished_at < $1::timestamptz - $2::bigint * interval '1 millisecond'
           AND e.number <= j.execution_count - $3
         LIMIT $4 FOR UPDATE OF e SKIP LOCKED)`,
      [now, policy.keepForMs, policy.keepPerJob, batch],
    );
    return rowCount ?? 0;
  }
}

/** A page of one job's history, newest first: GetJobStats' latest execution and the usual ListExecutions. */
function isOneJob(filter: ExecutionFilter): filter is ExecutionFilter & { jobId: string } {
  return Boolean(filter.jobId) && !filter.statuses?.length && !filter.jobType;
}

// Parsed once per connection. With LIMIT as a parameter PostgreSQL may still plan each call
// (whether its plan for an unknown limit looks dearer than a backward scan of
// executions_number_per_job depends on the table's statistics), so GetJobStats' one-row read
// has its own text, whose plan is cached (docs/performance.md).
function oneJobPage(jobId: string, after: ExecutionCursor | undefined, limit: number) {
  if (after) {
    return prepared('executions.job-page-after', `SELECT ${COLUMNS} FROM executions WHERE job_id = $1 AND number < $2 ORDER BY number DESC LIMIT $3`, [jobId, after.number, limit + 1]);
  }
  if (limit === 1) return prepared('executions.job-latest', `SELECT ${COLUMNS} FROM executions WHERE job_id = $1 ORDER BY number DESC LIMIT 2`, [jobId]);
  return prepared('executions.job-page', `SELECT ${COLUMNS} FROM executions WHERE job_id = $1 ORDER BY number DESC LIMIT $2`, [jobId, limit + 1]);
}

// Status and type filters select partial indexes by their values, so these are planned per call.
function filteredPage(filter: ExecutionFilter, after: ExecutionCursor | undefined, limit: number) {
  const values: unknown[] = [];
  const where: string[] = ['true'];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.jobId) where.push(`job_id = ${param(filter.jobId)}`);
  if (filter.statuses && filter.statuses.length > 0) where.push(`status = ANY(${param([...filter.statuses])}::text[])`);
  if (filter.jobType) where.push(`job_type = ${param(filter.jobType)}`);
  // One job: its numbers are the order. All jobs: queue time, then id.
  const order = filter.jobId ? 'number DESC' : 'queued_at DESC, id DESC';
  if (after) where.push(filter.jobId ? `number < ${param(after.number)}` : `(queued_at, id) < (${param(after.queuedAt)}, ${param(after.id)})`);
  return { text: `SELECT ${COLUMNS} FROM executions WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${limit + 1}`, values };
}
