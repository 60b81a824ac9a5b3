import { DomainError } from '../../domain/errors.js';
import { JOB_STATES, type JobState } from '../../domain/job/job-state.js';
import type { Job, JobWithoutPayload } from '../../domain/job/job.js';
import type { JsonObject } from '../../domain/json.js';
import type { Idempotency, JobChange, JobCursor, JobFilter, JobPage, JobRunInput, JobStore } from '../../application/ports/job-store.js';
import { JOB_COLUMNS, JOB_STATE_COLUMNS, jobFromRow, jobStateRecord, jobToRecord, type JobRow } from './job-row.js';
import type { Queryable } from './queryable.js';
import { prepared } from './prepared.js';
import { assignments, recordsetColumns } from './recordset.js';

const FIRING_STATES = `('pending', 'scheduled', 'running')`;
// A job may fire ahead of its slot unless its overlap policy could still skip it then.
const FIRES_AHEAD = `(overlap_policy = 'allow' OR active_occurrences = 0)`;
const WRITTEN_COLUMNS = Object.keys(JOB_COLUMNS).join(', ');
// The dependency columns are read with every job but written only by dependency-sql.ts. The
// subquery runs only for a job that has upstream jobs, so reading other jobs costs nothing more.
const readColumns = (written: readonly string[]) => `${written.join(', ')}, has_downstream, CASE WHEN has_upstream THEN (
  SELECT jsonb_agg(jsonb_build_object('jobId', d.upstream_id, 'condition', d.condition) ORDER BY d.position)
  FROM job_dependencies d WHERE d.downstream_id = jobs.id) END AS depends_on`;
const COLUMNS = readColumns(Object.keys(JOB_COLUMNS));
const COLUMNS_WITHOUT_PAYLOAD = readColumns(Object.keys(JOB_COLUMNS).filter((name) => name !== 'payload'));
const RECORDSET = recordsetColumns(JOB_COLUMNS);
const ALL_ASSIGNMENTS = assignments(JOB_COLUMNS, ['id', 'created_at']);
// A state change (every firing and settling) is sent as one array per column and read with
// unnest: no JSON to build in the service or to parse in PostgreSQL. The ids' array ($1) also
// drives a primary-key lookup; joined to unnest alone, the planner scanned the whole table.
const STATE_UNNEST_COLUMNS = ['id', 'expected_version', ...JOB_STATE_COLUMNS] as const;
const STATE_UNNEST_TYPES: Record<string, string> = { ...JOB_COLUMNS, expected_version: 'bigint' };
const UPDATE_STATE = `UPDATE jobs SET ${JOB_STATE_COLUMNS.map((name) => `${name} = c.${name}`).join(', ')}
  FROM unnest(${STATE_UNNEST_COLUMNS.map((name, i) => `$${i + 1}::${STATE_UNNEST_TYPES[name]}[]`).join(', ')}) AS c(${STATE_UNNEST_COLUMNS.join(', ')})
  WHERE jobs.id = ANY($1::uuid[]) AND jobs.id = c.id AND jobs.version = c.expected_version
  RETURNING jobs.id`;

/** All SQL about jobs. Every statement takes "now" as a parameter; nothing reads the database clock. */
export class PgJobStore implements JobStore {
  constructor(private readonly db: Queryable) {}

  async get(id: string): Promise<Job | undefined> {
    const { rows } = await this.db.query<JobRow>(prepared('jobs.get', `SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]));
    return rows[0] && jobFromRow(rows[0]);
  }

  async getMany(ids: readonly string[]): Promise<Job[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<JobRow>(prepared('jobs.get-many', `SELECT ${COLUMNS} FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY id`, [[...new Set(ids)]]));
    return rows.map(jobFromRow);
  }

  async runInputs(ids: readonly string[]): Promise<Map<string, JobRunInput>> {
    if (ids.length === 0) return new Map();
    // Two columns, not the 35 of a job: the acquisition sends nothing else, and reads this per execution.
    const { rows } = await this.db.query<{ id: string; name: string; payload: JsonObject }>(
      prepared('jobs.run-inputs', 'SELECT id, name, payload FROM jobs WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]),
    );
    return new Map(rows.map((row) => [row.id, { name: row.name, payload: row.payload }]));
  }

  async lock(ids: readonly string[]): Promise<Job[]> {
    return this.lockRows('jobs.lock', COLUMNS, ids);
  }

  async lockWithoutPayload(ids: readonly string[]): Promise<JobWithoutPayload[]> {
    // The payload is neither sent nor parsed: jobFromRow leaves it undefined, and the type says it is absent.
    return this.lockRows('jobs.lock-without-payload', COLUMNS_WITHOUT_PAYLOAD, ids);
  }

  private async lockRows(name: string, columns: string, ids: readonly string[]): Promise<Job[]> {
    if (ids.length === 0) return [];
    // Locking in id order keeps two transactions that lock overlapping sets from deadlocking.
    const { rows } = await this.db.query<JobRow>(prepared(name, `SELECT ${columns} FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [[...new Set(ids)]]));
    return rows.map(jobFromRow);
  }

  async claimDue(now: Date, limit: number, until: Date = now): Promise<Job[]> {
    const { rows } = await this.db.query<JobRow>(
      `SELECT ${COLUMNS} FROM jobs WHERE state IN ${FIRING_STATES} AND next_run_at <= $2
         AND (next_run_at <= $1 OR ${FIRES_AHEAD})
       ORDER BY next_run_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [now, until, limit],
    );
    return rows.map(jobFromRow);
  }

  async countDue(until: Date, cap: number): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      prepared('jobs.count-due', `SELECT count(*)::int AS count FROM (SELECT 1 FROM jobs WHERE state IN ${FIRING_STATES} AND next_run_at <= $1 LIMIT $2) AS due`, [until, cap]),
    );
    return rows[0]?.count ?? 0;
  }

  async nextDueAt(): Promise<Date | undefined> {
    const { rows } = await this.db.query<{ at: Date | null }>(`SELECT min(next_run_at) AS at FROM jobs WHERE state IN ${FIRING_STATES}`);
    return rows[0]?.at ?? undefined;
  }

  async insert(jobs: readonly Job[], idempotency: readonly (Idempotency | undefined)[] = []): Promise<void> {
    if (jobs.length === 0) return;
    // The record last: keys added after a spread take V8's slow path (jobToRecord, in job-row.ts).
    const records = jobs.map((job, i) => ({ request_id: idempotency[i]?.requestId ?? null, request_fingerprint: idempotency[i]?.fingerprint ?? null, ...jobToRecord(job) }));
    try {
      await this.db.query(
        prepared(
          'jobs.insert',
          `INSERT INTO jobs (${WRITTEN_COLUMNS}, request_id, request_fingerprint)
           SELECT ${WRITTEN_COLUMNS}, request_id, request_fingerprint FROM jsonb_to_recordset($1::jsonb) AS c(${RECORDSET}, request_id text, request_fingerprint text)`,
          [JSON.stringify(records)],
        ),
      );
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'jobs_request_id') throw DomainError.alreadyExists('a job with this request_id was created concurrently');
      throw error;
    }
  }

  async findByRequestId(requestId: string): Promise<{ job: Job; fingerprint: string } | undefined> {
    const { rows } = await this.db.query<JobRow & { request_fingerprint: string }>(`SELECT ${COLUMNS}, request_fingerprint FROM jobs WHERE request_id = $1`, [requestId]);
    const row = rows[0];
    return row && { job: jobFromRow(row), fingerprint: row.request_fingerprint };
  }

  async update(changes: readonly JobChange[]): Promise<Set<string>> {
    const written = new Set<string>();
    const stateOnly = changes.filter((change): change is Extract<JobChange, { scope: 'state' }> => change.scope === 'state');
    const whole = changes.filter((change): change is Exclude<JobChange, { scope: 'state' }> => change.scope !== 'state');
    if (stateOnly.length > 0) {
      // Only the state columns: the definition (the payload above all) is neither sent nor
      // rewritten, so a large payload costs nothing here and its TOAST value is kept as is.
      const columns: unknown[][] = STATE_UNNEST_COLUMNS.map(() => []);
      for (const { job, expectedVersion } of stateOnly) {
        const record = jobStateRecord(job);
        columns[0]!.push(job.id);
        columns[1]!.push(expectedVersion);
        JOB_STATE_COLUMNS.forEach((name, i) => columns[i + 2]!.push(record[name]));
      }
      const { rows } = await this.db.query<{ id: string }>(prepared('jobs.update-state', UPDATE_STATE, columns));
      for (const { id } of rows) written.add(id);
    }
    if (whole.length > 0) {
      const records = whole.map((change) => ({ expected_version: change.expectedVersion, ...jobToRecord(change.job) }));
      for (const id of await this.write('jobs.update', ALL_ASSIGNMENTS, RECORDSET, records)) written.add(id);
    }
    return written;
  }

  /** Compare-and-set on the version, for rows given as jsonb_to_recordset records. */
  private async write(name: string, assigned: string, recordset: string, records: Record<string, unknown>[]): Promise<string[]> {
    // The ids again as an array, so the planner looks rows up by primary key (see the same
    // pattern in execution-sql.ts: it cannot count jsonb_to_recordset's rows).
    const { rows } = await this.db.query<{ id: string }>(
      prepared(
        name,
        `UPDATE jobs SET ${assigned}
         FROM jsonb_to_recordset($1::jsonb) AS c(${recordset}, expected_version bigint)
         WHERE jobs.id = ANY($2::uuid[]) AND jobs.id = c.id AND jobs.version = c.expected_version
         RETURNING jobs.id`,
        [JSON.stringify(records), records.map((record) => record.id)],
      ),
    );
    return rows.map((row) => row.id);
  }

  async delete(id: string, expectedVersion: number): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM jobs WHERE id = $1 AND version = $2', [id, expectedVersion]);
    return rowCount === 1;
  }

  list(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage> {
    return this.page(COLUMNS, filter, after, limit);
  }

  listWithoutPayload(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage<JobWithoutPayload>> {
    // The payload is neither read (a large one is stored apart, compressed) nor parsed.
    return this.page(COLUMNS_WITHOUT_PAYLOAD, filter, after, limit);
  }

  private async page(columns: string, filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage> {
    const where = new Conditions(filter);
    const total = await this.db.query<{ count: string }>(`SELECT count(*) AS count FROM jobs WHERE ${where.sql}`, where.params);
    const page = new Conditions(filter);
    if (after) page.add('(created_at, id) < ($?, $?)', after.createdAt, after.id);
    const { rows } = await this.db.query<JobRow>(
      `SELECT ${columns} FROM jobs WHERE ${page.sql} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
      page.params,
    );
    const jobs = rows.slice(0, limit).map(jobFromRow);
    const last = jobs.at(-1);
    return { jobs, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined, total: Number(total.rows[0]?.count ?? 0) };
  }

  async ids(filter: JobFilter, limit: number): Promise<string[]> {
    const where = new Conditions(filter);
    const { rows } = await this.db.query<{ id: string }>(`SELECT id FROM jobs WHERE ${where.sql} ORDER BY created_at, id LIMIT ${limit}`, where.params);
    return rows.map((row) => row.id);
  }

  async countByState(): Promise<Record<JobState, number>> {
    const { rows } = await this.db.query<{ state: JobState; count: string }>('SELECT state, count(*) AS count FROM jobs GROUP BY state');
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}

/** A WHERE clause built from a filter, with numbered parameters. */
class Conditions {
  private readonly parts: string[] = ['true'];
  readonly params: unknown[] = [];

  constructor(filter: JobFilter) {
    if (filter.states && filter.states.length > 0) this.add('state = ANY($?::text[])', [...filter.states]);
    if (filter.type) this.add('type = $?', filter.type);
    if (filter.labels && Object.keys(filter.labels).length > 0) this.add('labels @> $?::jsonb', JSON.stringify(filter.labels));
    // Wildcards in the text are escaped: a search for "50%" finds "50%", not every name starting with 50.
    if (filter.nameContains) this.add("name ILIKE '%' || $? || '%'", filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`));
  }

  add(condition: string, ...values: unknown[]): void {
    let sql = condition;
    for (const value of values) {
      this.params.push(value);
      sql = sql.replace('$?', `$${this.params.length}`);
    }
    this.parts.push(sql);
  }

  get sql(): string {
    return this.parts.join(' AND ');
  }
}
