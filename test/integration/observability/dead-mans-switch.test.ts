import { durationFromMs, timestampDate } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { scrape } from '../../support/prometheus-text.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { everyMinutes, MINUTE, newClock } from '../engine/engine-harness.js';

const TYPE = 'metrics.deadman';
const OVERDUE_LOG = "job overdue: no successful execution within expect_success_within (dead-man's switch)";

describe("dead-man's switch (expect_success_within)", () => {
  const clock = newClock();
  const logger = new RecordingLogger();
  let server: TestServer;
  let jobId: string;

  before(async () => {
    // The dispatcher runs only when the test says so; the refresher only when it is called.
    server = await startTestServer({ clock, logger, env: { SCHEDULER_ENABLED: 'false', METRICS_REFRESH_INTERVAL: '1h' } });
  });

  after(async () => {
    await server?.stop();
  });

  async function overdueNow(): Promise<{ overdue: boolean; expectedBy: Date | undefined; gauge: number | undefined; logs: number }> {
    const { stats } = await server.scheduler.getJobStats({ jobId });
    await server.observability.parts.refresher.runOnce();
    const scraped = await scrape(server.observability.metricsAddress as string);
    return {
      overdue: stats?.overdue ?? false,
      expectedBy: stats?.successExpectedBy ? timestampDate(stats.successExpectedBy) : undefined,
      gauge: scraped.value('jobscheduler_jobs_overdue', { type: TYPE }),
      logs: logger.matching(OVERDUE_LOG).filter((entry) => entry.fields.job_id === jobId).length,
    };
  }

  it('flips exactly when the expectation passes, in GetJobStats, the gauge and one log line', async () => {
    const created = clock.now();
    const { job } = await server.scheduler.createJob({ job: { name: 'nightly export', type: TYPE, schedule: everyMinutes(30), expectSuccessWithin: durationFromMs(10 * MINUTE) } });
    jobId = job?.id ?? '';
    const expectedBy = new Date(created.getTime() + 10 * MINUTE);

    clock.set(expectedBy);
    expect(await overdueNow()).to.deep.equal({ overdue: false, expectedBy, gauge: 0, logs: 0 });

    clock.advance(1);
    expect(await overdueNow()).to.deep.equal({ overdue: true, expectedBy, gauge: 1, logs: 1 });
    const [line] = logger.matching(OVERDUE_LOG);
    expect(line?.level).to.equal('warn');
    expect(line?.fields).to.include({ job_id: jobId, type: TYPE, expected_by: expectedBy.toISOString(), overdue_ms: 1 });

    // Still overdue: counted, not logged again.
    clock.advance(5 * MINUTE);
    expect(await overdueNow()).to.deep.include({ overdue: true, gauge: 1, logs: 1 });
    await Promise.all([server.observability.parts.refresher.runOnce(), server.observability.parts.refresher.runOnce()]);
    expect((await overdueNow()).logs).to.equal(1);
  });

  it('clears on a success and fires (and logs) again when the next period passes without one', async () => {
    clock.advance(15 * MINUTE); // the 30-minute occurrence is due
    expect((await server.useCases.dispatch.runUntilIdle()).executions).to.equal(1);
    const { executions } = await server.worker.acquireExecutions({ workerId: 'w', jobTypes: [TYPE], capacity: 1 });
    const [acquired] = executions;
    await server.worker.completeExecution({ executionId: acquired?.execution?.id ?? '', leaseToken: acquired?.leaseToken ?? '' });
    const succeededAt = clock.now();
    const expectedBy = new Date(succeededAt.getTime() + 10 * MINUTE);
    expect(await overdueNow()).to.deep.equal({ overdue: false, expectedBy, gauge: 0, logs: 1 });

    clock.set(new Date(expectedBy.getTime() + 1));
    expect(await overdueNow()).to.deep.equal({ overdue: true, expectedBy, gauge: 1, logs: 2 });
  });

  it('does not count cancelled jobs', async () => {
    await server.scheduler.cancelJob({ id: jobId });
    expect(await overdueNow()).to.deep.include({ overdue: false, gauge: 0, logs: 2 });
  });
});
