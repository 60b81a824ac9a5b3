import { expect } from 'chai';
import { combineObservers, ExecutionLogObserver } from '../../../src/application/observability/execution-log-observer.js';
import { RefreshClusterGauges } from '../../../src/application/observability/refresh-cluster-gauges.js';
import { WatchDatabaseHealth } from '../../../src/application/observability/watch-database-health.js';
import type { ClusterGauges, OverdueJob } from '../../../src/application/ports/cluster-gauges-store.js';
import { NO_OBSERVER, type EngineObserver } from '../../../src/application/ports/engine-observer.js';
import { HealthReporter } from '../../../src/adapters/grpc/health.js';
import { queuedExecution } from '../../../src/domain/execution/execution.js';
import { FakeClock } from '../../support/fake-clock.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const OVERDUE = 'job overdue';

function gaugesWith(overdueJobs: OverdueJob[], total = overdueJobs.length): ClusterGauges {
  return {
    jobsByState: { pending: 0, scheduled: 0, running: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 },
    queues: [],
    overdueByType: new Map([['t', total]]),
    overdueJobs,
  };
}

describe('RefreshClusterGauges', () => {
  const clock = new FakeClock('2026-03-02T08:00:00Z');
  const job = (id: string, expectedBy: string): OverdueJob => ({ jobId: id, type: 't', expectedBy: new Date(expectedBy), lastSuccessAt: undefined });

  function refresher(reads: ClusterGauges[], logger: RecordingLogger, limit = 1_000) {
    const published: ClusterGauges[] = [];
    const service = new RefreshClusterGauges(
      { read: async (_now, overdueJobLimit) => { expect(overdueJobLimit).to.equal(limit); return reads.shift() ?? gaugesWith([]); } },
      { publish: (gauges) => published.push(gauges) },
      clock,
      60_000,
      logger,
      limit,
    );
    return { service, published };
  }

  it('publishes what it reads and logs each overdue job once per overdue period', async () => {
    const logger = new RecordingLogger();
    const a = job('a', '2026-03-02T07:00:00Z');
    const b = job('b', '2026-03-02T07:30:00Z');
    const aAgain = job('a', '2026-03-02T07:50:00Z'); // a succeeded, then missed again
    const { service, published } = refresher([gaugesWith([a]), gaugesWith([a, b]), gaugesWith([b]), gaugesWith([aAgain, b])], logger);
    for (let i = 0; i < 4; i += 1) await service.runOnce();
    expect(published).to.have.length(4);
    expect(logger.matching(OVERDUE).map((entry) => [entry.fields.job_id, entry.fields.expected_by])).to.deep.equal([
      ['a', '2026-03-02T07:00:00.000Z'],
      ['b', '2026-03-02T07:30:00.000Z'],
      ['a', '2026-03-02T07:50:00.000Z'],
    ]);
    expect(logger.matching(OVERDUE)[0]).to.deep.include({ level: 'warn' });
    expect(logger.matching(OVERDUE)[0]?.fields).to.include({ type: 't', overdue_ms: 3_600_000 });
  });

  it('says once how many overdue jobs it does not list one by one', async () => {
    const logger = new RecordingLogger();
    const listed = [job('a', '2026-03-02T07:00:00Z')];
    const { service } = refresher([gaugesWith(listed, 50), gaugesWith(listed, 50), gaugesWith(listed, 80)], logger, 1);
    for (let i = 0; i < 3; i += 1) await service.runOnce();
    expect(logger.matching('more jobs are overdue').map((entry) => entry.fields.not_logged_individually)).to.deep.equal([49, 79]);
  });

  it('runs concurrent refreshes one after the other, so a job is not logged twice', async () => {
    const logger = new RecordingLogger();
    const a = job('a', '2026-03-02T07:00:00Z');
    const { service } = refresher([gaugesWith([a]), gaugesWith([a])], logger);
    await Promise.all([service.runOnce(), service.runOnce()]);
    expect(logger.matching(OVERDUE)).to.have.length(1);
  });
});

describe('WatchDatabaseHealth and HealthReporter', () => {
  it('reports NOT_SERVING while probes fail and SERVING when they pass, logging each change once', async () => {
    const logger = new RecordingLogger();
    const health = new HealthReporter(['svc']);
    health.setServing(true);
    let answers = true;
    let closed = false;
    const probe = {
      ping: async () => {
        if (!answers) throw new Error('connection refused');
      },
      close: async () => {
        closed = true;
      },
    };
    const watch = new WatchDatabaseHealth(probe, health, new FakeClock(), 2_000, logger);
    expect(await watch.runOnce()).to.equal(true);
    expect(health.isServing).to.equal(true);
    answers = false;
    await watch.runOnce();
    await watch.runOnce();
    expect(health.isServing).to.equal(false);
    expect(health.isDatabaseReachable).to.equal(false);
    answers = true;
    await watch.runOnce();
    expect(health.isServing).to.equal(true);
    expect(logger.entries.map((entry) => [entry.level, entry.message])).to.deep.equal([
      ['warn', 'database unreachable: reporting NOT_SERVING until it answers'],
      ['info', 'database reachable again: reporting SERVING'],
    ]);
    await watch.stop();
    expect(closed).to.equal(true);
  });

  it('stays NOT_SERVING while draining even when the database answers', () => {
    const health = new HealthReporter([]);
    health.setServing(true);
    health.setServing(false);
    health.setDatabaseReachable(true);
    expect(health.isServing).to.equal(false);
  });
});

describe('engine observers', () => {
  const now = new Date('2026-03-02T08:00:00Z');
  const execution = queuedExecution(
    { id: 'job-1', type: 't', priority: 0, attemptTimeoutMs: undefined },
    { id: 'exec-1', number: 1, occurrenceAt: now, attempt: 2, trigger: 'retry', scheduledAt: now },
    now,
  );

  it('logs every execution with job_id, execution_id, type and attempt', () => {
    const logger = new RecordingLogger();
    const observer = new ExecutionLogObserver(logger);
    observer.queued([execution]);
    observer.started([{ ...execution, status: 'running', startedAt: now, workerId: 'w' }]);
    observer.finished([{ ...execution, status: 'failed', startedAt: now, finishedAt: now, error: { message: 'boom', details: undefined, retryable: true } }]);
    expect(logger.entries.map((entry) => entry.message)).to.deep.equal(['execution queued', 'execution started', 'execution failed']);
    for (const entry of logger.entries) expect(entry.fields).to.include({ job_id: 'job-1', execution_id: 'exec-1', type: 't', attempt: 2 });
  });

  it('with debug lines off, builds nothing for routine executions and still logs failures', () => {
    const logger = new RecordingLogger();
    const quiet = Object.assign(Object.create(logger) as RecordingLogger, { isLevelEnabled: (level: string) => level !== 'debug' });
    const observer = new ExecutionLogObserver(quiet);
    observer.queued([execution]);
    observer.started([{ ...execution, status: 'running', startedAt: now, workerId: 'w' }]);
    observer.finished([
      { ...execution, status: 'succeeded', startedAt: now, finishedAt: now },
      { ...execution, status: 'failed', startedAt: now, finishedAt: now, error: { message: 'boom', details: undefined, retryable: true } },
    ]);
    observer.dispatchPass(3, 1, 1, 0);
    expect(logger.entries.map((entry) => `${entry.level} ${entry.message}`)).to.deep.equal(['info execution failed']);
  });

  it('keeps telling the others when one observer throws', () => {
    const logger = new RecordingLogger();
    const seen: string[] = [];
    const throwing: EngineObserver = { ...NO_OBSERVER, queued: () => { throw new Error('bug'); } };
    const counting: EngineObserver = { ...NO_OBSERVER, queued: (executions) => seen.push(...executions.map((e) => e.id)) };
    combineObservers([throwing, counting], logger).queued([execution]);
    expect(seen).to.deep.equal(['exec-1']);
    expect(logger.matching('engine observer failed')).to.have.length(1);
  });
});
