import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type pg from 'pg';
import { startTestServer, type TestServer } from '../../support/test-server.js';

export const FIXTURE_TYPE = 'fuzz.fixture';
/** Jobs whose one execution is running under a lease when a property starts. */
const HELD = 10;

/** Rows that exist when a property starts, so generated requests name real jobs, executions and leases. */
export interface Fixtures {
  jobIds: string[];
  executionIds: string[];
  /** Lease tokens of running executions (and of finished ones, which must be refused). */
  leaseTokens: string[];
  /**
   * Executions with the token that holds them: outcomes and heartbeats that are accepted. In this
   * order: the cron job's two executions, the `running` job's second one, then one per held job.
   */
  leases: { executionId: string; leaseToken: string }[];
  /** next_page_token values of several different queries (and of both list RPCs). */
  pageTokens: string[];
  /** Event cursors that WatchExecutions issued. */
  cursors: string[];
}

/**
 * One server (API only: no dispatcher, reaper or retention, so nothing but the requests changes
 * the database) on a database of its own, with a cheap way to tell whether a request changed it.
 */
export class FuzzLane {
  private snapshot: { xmax: string; content: string } | undefined;

  private constructor(
    readonly server: TestServer,
    private readonly pool: pg.Pool,
  ) {}

  static async start(): Promise<FuzzLane> {
    const server = await startTestServer({ env: { SCHEDULER_ENABLED: 'false', LEASE_DURATION: '1h' } });
    return new FuzzLane(server, server.database.pool(2));
  }

  async stop(): Promise<void> {
    await this.pool.end();
    await this.server.stop();
  }

  /**
   * The next transaction id of the cluster: it moves whenever any transaction writes (or locks a
   * row). Unmoved means nothing was changed; moved means compare the content.
   */
  async xmax(): Promise<string> {
    const { rows } = await this.pool.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax');
    return rows[0]!.xmax;
  }

  /** Jobs, executions and events, summarised: counts, versions, last update, lease and status of every execution, last event. */
  async content(): Promise<string> {
    const { rows } = await this.pool.query(`
      SELECT (SELECT count(*) FROM jobs) AS jobs,
             (SELECT coalesce(sum(version), 0) FROM jobs) AS versions,
             (SELECT max(updated_at) FROM jobs)::text AS updated,
             (SELECT md5(coalesce(string_agg(id::text || state || coalesce(request_id, ''), ',' ORDER BY id), '')) FROM jobs) AS job_rows,
             (SELECT count(*) FROM executions) AS executions,
             (SELECT md5(coalesce(string_agg(id::text || status || coalesce(lease_token::text, '') || coalesce(lease_expires_at::text, '')
                      || coalesce(finished_at::text, '') || coalesce(progress::text, '') || coalesce(result::text, ''), ',' ORDER BY id), '')) FROM executions) AS execution_rows,
             (SELECT count(*) FROM execution_events) AS events,
             (SELECT coalesce(max(id), 0) FROM execution_events) AS last_event`);
    return JSON.stringify(rows[0]);
  }

  /**
   * The state before a request: the one the last changedSince() saw. Anything written since then
   * (a wake-up NOTIFY of the server) moves the transaction id, so the next comparison looks at
   * the content again; nothing can change the content without moving it.
   */
  async before(): Promise<{ xmax: string; content: string }> {
    this.snapshot ??= { xmax: await this.xmax(), content: await this.content() };
    return this.snapshot;
  }

  /** Whether the database differs from `before` (cheap when no transaction id was spent). */
  async changedSince(before: { xmax: string; content: string }): Promise<boolean> {
    const xmax = await this.xmax();
    if (xmax === before.xmax) return false;
    const content = await this.content();
    this.snapshot = { xmax, content };
    return content !== before.content;
  }

  /** What the database holds of one execution's end: its status and error, its end events, and the retries of its occurrence. */
  async endOf(executionId: string): Promise<{ status: string; errorMessage: string | null; ends: number; retries: number }> {
    const { rows } = await this.pool.query<{ status: string; errorMessage: string | null; ends: number; retries: number }>(
      `SELECT e.status, e.error_message AS "errorMessage",
              (SELECT count(*)::int FROM execution_events v WHERE v.execution_id = e.id AND v.kind IN ('succeeded', 'failed')) AS ends,
              (SELECT count(*)::int FROM executions r WHERE r.job_id = e.job_id AND r.occurrence_at = e.occurrence_at AND r.attempt > e.attempt) AS retries
         FROM executions e WHERE e.id = $1`,
      [executionId],
    );
    return rows[0] ?? { status: 'missing', errorMessage: null, ends: 0, retries: 0 };
  }

  /**
   * Fresh rows to aim at, on an emptied database, built the same way every time (and listed in
   * the same order), so that a seed draws the same requests whichever RPCs ran before: jobs in
   * every state, queued, running and finished executions, real page tokens and cursors.
   */
  async fixtures(): Promise<Fixtures> {
    await this.pool.query('TRUNCATE jobs, job_dependencies, occurrence_ledger, executions, execution_event_batches, job_quotas, quota_starts');
    // What is about to be written is no request's doing: take a fresh snapshot afterwards.
    this.snapshot = undefined;
    const { scheduler, worker } = this.server;
    const tomorrow = { kind: { case: 'once' as const, value: { at: timestampFromDate(new Date(Date.now() + 86_400_000)) } } };
    const job = async (name: string, extra: Record<string, unknown> = {}) => (await scheduler.createJob({ job: { name, type: FIXTURE_TYPE, schedule: tomorrow, ...extra } })).job!.id;
    const cron = await job('cron', { schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: 'Europe/Berlin' } } }, labels: { team: 'fuzz' } });
    const waiting = await job('waiting');
    const paused = await job('paused');
    await scheduler.pauseJob({ id: paused });
    const cancelled = await job('cancelled');
    await scheduler.cancelJob({ id: cancelled });
    const failed = await job('failed', { retryPolicy: { maxRetries: 0 } });
    const running = await job('running', { retryPolicy: { maxRetries: 2, initialBackoff: durationFromMs(1_000) } });
    // Enough running executions that the regression cases and the generated ones each find leases to use up.
    const held: string[] = [];
    for (let i = 0; i < HELD; i += 1) held.push(await job(`held ${i}`, { retryPolicy: { maxRetries: 2, initialBackoff: durationFromMs(1_000) } }));
    // Other jobs, so that lists have pages and bulk selections match many.
    await scheduler.batchCreateJobs({
      requests: Array.from({ length: 40 }, (_, i) => ({ job: { name: `filler ${i}`, type: i % 2 ? 'fuzz.other' : FIXTURE_TYPE, schedule: tomorrow, labels: { team: i % 3 ? 'other' : 'fuzz' } } })),
    });
    for (const id of [failed, running, running, cron, cron, ...held]) await scheduler.runJob({ id });
    const { executions } = await worker.acquireExecutions({ workerId: 'fuzz-fixtures', jobTypes: [FIXTURE_TYPE], capacity: 100, leaseDuration: durationFromMs(3_600_000) });
    const byJob = (id: string) => executions.filter((a) => a.execution?.jobId === id);
    const [toFail] = byJob(failed);
    if (toFail) await worker.failExecution({ executionId: toFail.execution!.id, leaseToken: toFail.leaseToken, errorMessage: 'fixture', retryable: false });
    const [toComplete] = byJob(running);
    if (toComplete) await worker.completeExecution({ executionId: toComplete.execution!.id, leaseToken: toComplete.leaseToken });
    await scheduler.runJob({ id: waiting }); // stays queued
    const jobIds = [cron, waiting, paused, cancelled, failed, running];
    const executionIds: string[] = [];
    for (const jobId of [...jobIds, ...held]) {
      const { executions: ofJob } = await scheduler.listExecutions({ jobId, pageSize: 100 });
      executionIds.push(...ofJob.map((e) => ({ id: e.id, number: e.number })).sort((a, b) => Number(a.number - b.number)).map((e) => e.id));
    }
    const order = (a: { execution?: { id: string } }, b: { execution?: { id: string } }) => executionIds.indexOf(a.execution!.id) - executionIds.indexOf(b.execution!.id);
    const acquired = [...executions].sort(order);
    const pageTokens = [
      (await scheduler.listJobs({ pageSize: 1 })).nextPageToken,
      (await scheduler.listJobs({ pageSize: 2, filter: { type: FIXTURE_TYPE } })).nextPageToken,
      (await scheduler.listJobs({ pageSize: 1, filter: { labels: { team: 'fuzz' }, states: [2] } })).nextPageToken,
      (await scheduler.listExecutions({ pageSize: 1 })).nextPageToken,
      (await scheduler.listExecutions({ pageSize: 1, jobId: cron })).nextPageToken,
    ].filter((token) => token !== '');
    const cursors: string[] = [];
    const watching = new AbortController();
    try {
      for await (const { event } of scheduler.watchExecutions({ jobId: cron, cursor: '0:0' }, { signal: watching.signal, deadline: 2_000 })) {
        if (event?.cursor) cursors.push(event.cursor);
        if (cursors.length >= 2) break;
      }
    } catch {
      // A cursor of 0:0 may be refused or time out; the generated cursors cover the rest.
    }
    return {
      jobIds,
      executionIds,
      leaseTokens: acquired.map((a) => a.leaseToken),
      leases: acquired.filter((a) => a !== toFail && a !== toComplete).map((a) => ({ executionId: a.execution!.id, leaseToken: a.leaseToken })),
      pageTokens,
      cursors,
    };
  }
}
