import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { createJobSchedulerClient, createQuotaClient, createWorkerClient, type WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { createWorker, type Worker } from '../../../src/sdk/index.js';
import { ServiceFleet } from '../../support/service-fleet.js';

const LIMITED = 'quota.limited';
const RATED = 'quota.rated';
const MAX_RUNNING = 4;
const TENANT_A_MAX = 2;
const RATE = { maxStarts: 5, periodMs: 1_000 };
const now = { kind: { case: 'once' as const, value: {} } };
const retries = { maxRetries: 5, initialBackoff: durationFromMs(1_000), maxBackoff: durationFromMs(1_000), jitter: 0 };

/**
 * Every change of an execution's status into or out of RUNNING, numbered by a sequence inside the
 * transaction that made it (test-only, on the test's own database). Replayed in that order, the
 * running count at a start is never more than what the claim itself counted (a finish numbered
 * before it but committed after only lowers the replay), so a replay above the limit is a claim
 * that really exceeded it.
 */
const HISTORY = `
CREATE SEQUENCE quota_test_seq;
CREATE TABLE quota_test_history (seq bigint NOT NULL, execution_id uuid NOT NULL, job_type text NOT NULL, tenant text, delta int NOT NULL);
CREATE FUNCTION quota_test_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta int := 0;
BEGIN
  IF NEW.status = 'running' AND (TG_OP = 'INSERT' OR OLD.status <> 'running') THEN delta := 1;
  ELSIF TG_OP = 'UPDATE' AND OLD.status = 'running' AND NEW.status <> 'running' THEN delta := -1;
  END IF;
  IF delta <> 0 THEN
    INSERT INTO quota_test_history SELECT nextval('quota_test_seq'), NEW.id, NEW.job_type, j.labels->>'tenant', delta FROM jobs j WHERE j.id = NEW.job_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER quota_test_history AFTER INSERT OR UPDATE OF status ON executions FOR EACH ROW EXECUTE FUNCTION quota_test_record();
`;

describe('quotas across 3 replicas and 20 workers, one replica SIGKILLed (real processes, real time)', function () {
  this.timeout(120_000);
  const fleet = ServiceFleet.forSuite({ REAPER_INTERVAL: '500ms', POLL_INTERVAL: '100ms', SHUTDOWN_GRACE: '2s' });

  it('never runs more than max_running (per type and per tenant) nor starts more than the rate allows, through the kill', async () => {
    const { pool } = fleet;
    const replicas = await fleet.start(3);
    await pool.query(HISTORY);
    const [killed, ...survivors] = replicas;
    const scheduler = createJobSchedulerClient(survivors[0].address);
    const quotas = createQuotaClient(survivors[1].address);
    await quotas.setQuota({ quota: { key: { jobType: LIMITED }, maxRunning: MAX_RUNNING } });
    await quotas.setQuota({ quota: { key: { jobType: LIMITED, labelKey: 'tenant', labelValue: 'a' }, maxRunning: TENANT_A_MAX } });
    await quotas.setQuota({ quota: { key: { jobType: RATED }, rateLimit: { maxStarts: RATE.maxStarts, period: durationFromMs(RATE.periodMs) } } });

    // 16 SDK workers (Work streams: group commit and hand-off) spread over the three replicas,
    // and 4 workers polling AcquireExecutions on the survivors.
    const workers: Worker[] = [];
    for (let i = 0; i < 16; i += 1) {
      workers.push(
        createWorker({
          address: replicas[i % 3]!.address,
          types: [LIMITED, RATED],
          concurrency: 3,
          prefetch: i % 2 === 0 ? 0 : 2,
          leaseDurationMs: 5_000,
          logger: () => undefined,
          handler: async () => sleep(5 + (i % 4) * 5),
        }),
      );
    }
    let polling = true;
    const pollers: WorkerClient[] = [];
    const polls = Array.from({ length: 4 }, async (_, i) => {
      const client = createWorkerClient(survivors[i % 2]!.address);
      pollers.push(client);
      while (polling) {
        const { executions } = await client.acquireExecutions({ workerId: `poller-${i}`, jobTypes: [LIMITED, RATED], capacity: 3, wait: durationFromMs(200) }).catch(() => ({ executions: [] }));
        await sleep(5);
        for (const a of executions) await client.completeExecution({ executionId: a.execution?.id ?? '', leaseToken: a.leaseToken }).catch(() => undefined);
      }
    });

    try {
      const created: Promise<unknown>[] = [];
      for (let i = 0; i < 150; i += 1) {
        const labels = { tenant: i % 3 === 0 ? 'a' : 'b' };
        created.push(scheduler.createJob({ job: { name: `limited ${i}`, type: LIMITED, schedule: now, labels, retryPolicy: retries } }));
        if (i % 5 === 0) created.push(scheduler.createJob({ job: { name: `rated ${i}`, type: RATED, schedule: now, retryPolicy: retries } }));
        if (i === 60) fleet.kill(killed);
        if (i % 10 === 0) await sleep(20);
      }
      await Promise.all(created);
      const settled = async () => {
        const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE status IN ('queued', 'running')`);
        return Number(rows[0]?.n);
      };
      const deadline = Date.now() + 90_000;
      while ((await settled()) > 0 && Date.now() < deadline) await sleep(200);
      expect(await settled(), 'executions still queued or running').to.equal(0);
      const { rows: done } = await pool.query<{ job_type: string; n: string }>(
        `SELECT job_type, count(DISTINCT job_id) AS n FROM executions WHERE status = 'succeeded' GROUP BY job_type ORDER BY job_type`,
      );
      expect(done.map((r) => [r.job_type, Number(r.n)])).to.deep.equal([[LIMITED, 150], [RATED, 30]]);

      const { rows: history } = await pool.query<{ seq: string; job_type: string; tenant: string | null; delta: number }>(`SELECT seq, job_type, tenant, delta FROM quota_test_history ORDER BY seq`);
      let running = 0;
      let runningA = 0;
      let peak = 0;
      let peakA = 0;
      for (const change of history.filter((h) => h.job_type === LIMITED)) {
        running += change.delta;
        if (change.tenant === 'a') runningA += change.delta;
        peak = Math.max(peak, running);
        peakA = Math.max(peakA, runningA);
      }
      expect(peak, 'most running of the type at once').to.be.at.most(MAX_RUNNING);
      expect(peakA, 'most running of tenant a at once').to.be.at.most(TENANT_A_MAX);
      // The limits were reached, so the check had something to catch.
      expect(peak).to.equal(MAX_RUNNING);

      // The rate limit, on the recorded start times: any maxStarts + 1 starts span more than a period.
      const { rows: starts } = await pool.query<{ t: Date }>(`SELECT started_at AS t FROM executions WHERE job_type = $1 AND started_at IS NOT NULL ORDER BY started_at`, [RATED]);
      const times = starts.map((r) => r.t.getTime());
      for (let i = 0; i + RATE.maxStarts < times.length; i += 1) expect(times[i + RATE.maxStarts]! - times[i]!, `starts ${i}..${i + RATE.maxStarts}`).to.be.at.least(RATE.periodMs);
    } finally {
      polling = false;
      await Promise.all(polls);
      await Promise.all(workers.map((w) => w.stop({ timeoutMs: 1_000 }).catch(() => undefined)));
      for (const client of pollers) client.close();
      scheduler.close();
      quotas.close();
    }
  });
});
