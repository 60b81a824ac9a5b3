import { expect } from 'chai';
import { analyseRun, type ExecutionRecord, type JobRecord, type RunInput, type WorkLine } from '../../reliability/support/chaos-model.js';

/**
 * The chaos run is only as good as its checks: each rule must pass a run that keeps it and catch
 * a run that breaks it.
 */
const JOB = '11111111-1111-4111-8111-111111111111';
const T = 1_000_000;

const job = (overrides: Partial<JobRecord> = {}): JobRecord => ({ id: JOB, mode: 'ok', recurring: false, maxRetries: 3, state: 'completed', ...overrides });
const execution = (id: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  id,
  jobId: JOB,
  occurrenceAt: T,
  attempt: 1,
  status: 'succeeded',
  queuedAt: T,
  startedAt: T + 10,
  finishedAt: T + 100,
  workerId: 'w1',
  retryable: undefined,
  ...overrides,
});
const start = (x: string, t: number, a = 1, w = 'w1'): WorkLine => ({ e: 'start', x, j: JOB, o: T, a, w, t });
const end = (x: string, t: number, r: 'ok' | 'fail' | 'abort' = 'ok'): WorkLine => ({ e: 'end', x, r, t });
const ack = (x: string, t: number, k: 'success' | 'failure' = 'success'): WorkLine => ({ e: 'ack', x, k, t });

function run(overrides: Partial<RunInput>): ReturnType<typeof analyseRun> {
  return analyseRun({
    jobs: [job()],
    executions: [execution('e1')],
    lines: [start('e1', T + 10), end('e1', T + 90), ack('e1', T + 100)],
    lives: [{ workerId: 'w1', frozen: [] }],
    cancels: [],
    probes: { sent: 1, refused: 1, accepted: [] },
    leaseMs: 5_000,
    reaperMs: 500,
    rescueSlackMs: 1_000,
    ...overrides,
  });
}

describe('chaos checks (analyseRun)', () => {
  it('passes a run that keeps every guarantee', () => {
    const { violations, figures } = run({});
    expect(violations).to.deep.equal([]);
    expect(figures).to.deep.include({ jobs: 1, occurrences: 1, executions: 1, handlerRuns: 1, acknowledgedOutcomes: 1, duplicateDeliveries: 0 });
  });

  it('catches a duplicate completion', () => {
    const { violations } = run({ executions: [execution('e1', { status: 'lost', retryable: true }), execution('e2', { attempt: 2 }), execution('e3', { attempt: 3 })] });
    expect(violations.join('\n')).to.match(/attempt 2 ended succeeded, yet attempt 3 exists/).and.to.match(/2 attempts succeeded/);
  });

  it('catches a gap in the attempts and an execution left running', () => {
    const { violations } = run({ executions: [execution('e1', { status: 'lost', retryable: true }), execution('e3', { attempt: 3, status: 'running', finishedAt: undefined })], jobs: [job({ state: 'running' })] });
    expect(violations.join('\n')).to.match(/attempts are 1,3/).and.to.match(/left running/).and.to.match(/still running/);
  });

  it('catches an occurrence that gave up with retries left, and a job that never fired', () => {
    const lost = run({ executions: [execution('e1', { status: 'lost', retryable: true })], jobs: [job({ state: 'failed' })] });
    expect(lost.violations.join('\n')).to.match(/ended lost at attempt 1 with retries left/);
    const never = run({ executions: [], jobs: [job({ state: 'pending' })], lines: [] });
    expect(never.violations.join('\n')).to.match(/never fired/);
  });

  it('counts, but allows, an occurrence whose retries were all used up by rescues', () => {
    const attempts = [1, 2].map((attempt) => execution(`e${attempt}`, { attempt, status: 'lost', retryable: true }));
    const { violations, figures } = run({ jobs: [job({ maxRetries: 1, state: 'failed' })], executions: attempts, lines: [], lives: [{ workerId: 'w1', killedAt: T + 20, frozen: [] }] });
    expect(violations).to.deep.equal([]);
    expect(figures.exhaustedByChaos).to.equal(1);
  });

  it('catches a failing handler recorded as a success', () => {
    const { violations } = run({ jobs: [job({ mode: 'fail' })], lines: [start('e1', T + 10), end('e1', T + 90, 'fail')] });
    expect(violations.join('\n')).to.match(/a fail job .* was recorded succeeded/).and.to.match(/handler ended with a failure, yet it is recorded succeeded/);
  });

  it('catches an acknowledged outcome the database does not hold, and one acknowledged twice', () => {
    const { violations } = run({ executions: [execution('e1', { status: 'failed', retryable: false })], jobs: [job({ state: 'failed' })], lines: [start('e1', T + 10), ack('e1', T + 100), ack('e1', T + 200)] });
    expect(violations.join('\n')).to.match(/acknowledged 2 times/).and.to.match(/told its success was recorded, but it is failed/);
  });

  it('catches two runs of one occurrence under live leases, and one execution delivered twice', () => {
    const executions = [execution('e1', { status: 'failed', retryable: true, finishedAt: T + 2_000 }), execution('e2', { attempt: 2, startedAt: T + 1_000, finishedAt: T + 3_000 })];
    const lines = [start('e1', T + 10), start('e2', T + 1_000, 2, 'w2'), end('e1', T + 1_900, 'fail'), end('e2', T + 2_900), start('e2', T + 1_100, 2, 'w3')];
    const { violations } = run({ executions, lines, lives: [{ workerId: 'w1', frozen: [] }, { workerId: 'w2', frozen: [] }, { workerId: 'w3', frozen: [] }] });
    expect(violations.join('\n')).to.match(/attempt 2 ran from .* alongside attempt 1, which still held a live lease/).and.to.match(/delivered 2 times/);
  });

  it('allows, and counts, a run that overlaps an earlier one already rescued (a frozen worker that had not noticed)', () => {
    const executions = [execution('e1', { status: 'lost', retryable: true, finishedAt: T + 5_600 }), execution('e2', { attempt: 2, startedAt: T + 6_000, finishedAt: T + 6_500 })];
    const lines = [start('e1', T + 10), start('e2', T + 6_000, 2, 'w2'), end('e2', T + 6_400), ack('e2', T + 6_500), end('e1', T + 7_000)];
    const lives = [
      { workerId: 'w1', frozen: [{ from: T + 100, to: T + 6_900 }] },
      { workerId: 'w2', frozen: [] },
    ];
    const { violations, figures } = run({ executions, lines, lives });
    expect(violations).to.deep.equal([]);
    expect(figures).to.deep.include({ rescues: 1, duplicateDeliveries: 1, concurrentZombieRuns: 1, maxRescueDelayMs: 5_500 });
  });

  it('allows a zombie that starts its handler only after the retry did (frozen between acquiring and starting)', () => {
    const executions = [execution('e1', { status: 'lost', retryable: true, startedAt: T + 10, finishedAt: T + 5_600 }), execution('e2', { attempt: 2, startedAt: T + 6_000, finishedAt: T + 9_000 })];
    const lines = [start('e2', T + 6_000, 2, 'w2'), start('e1', T + 7_000, 1, 'w1'), end('e1', T + 7_500, 'abort'), end('e2', T + 8_900), ack('e2', T + 9_000)];
    const lives = [
      { workerId: 'w1', frozen: [{ from: T + 20, to: T + 6_990 }] },
      { workerId: 'w2', frozen: [] },
    ];
    const { violations, figures } = run({ executions, lines, lives });
    expect(violations).to.deep.equal([]);
    expect(figures.concurrentZombieRuns).to.equal(1);
  });

  it('catches a rescue later than lease + reaper interval + slack after the worker died', () => {
    const executions = [execution('e1', { status: 'lost', retryable: true, finishedAt: T + 9_000 }), execution('e2', { attempt: 2, startedAt: T + 9_500, finishedAt: T + 9_600 })];
    const { violations } = run({ executions, lines: [start('e1', T + 10)], lives: [{ workerId: 'w1', killedAt: T + 1_000, frozen: [] }] });
    expect(violations.join('\n')).to.match(/rescued 8000 ms after its worker w1 died/);
  });

  it('catches a rescue of a live lease (a reaper that steals work from a worker that is alive)', () => {
    const executions = [execution('e1', { status: 'lost', retryable: true, finishedAt: T + 5_600 }), execution('e2', { attempt: 2, startedAt: T + 6_000, finishedAt: T + 6_500 })];
    const { violations, figures } = run({ executions, lines: [start('e1', T + 10)] });
    expect(violations.join('\n')).to.match(/rescued as lost although its worker w1 was neither killed, stopped nor frozen/);
    expect(figures.unexplainedRescues).to.equal(1);
  });

  it('catches a cancel that was acknowledged but not honoured', () => {
    const cancelled = run({ jobs: [job({ mode: 'cancel', state: 'failed' })], cancels: [{ kind: 'execution', jobId: JOB, executionId: 'e1', ackAt: T + 50 }] });
    expect(cancelled.violations.join('\n')).to.match(/CancelExecution e1 was acknowledged, but it ended succeeded/).and.to.match(/and so was a worker's outcome/);
    const byJob = run({
      jobs: [job({ mode: 'cancel', state: 'completed' })],
      executions: [execution('e1', { finishedAt: T + 400 })],
      cancels: [{ kind: 'job', jobId: JOB, executionId: 'e1', ackAt: T + 300 }],
    });
    expect(byJob.violations.join('\n')).to.match(/CancelJob .* but the job is completed/).and.to.match(/ended succeeded after the cancel was acknowledged/);
  });

  it('catches an accepted forged outcome', () => {
    const { violations } = run({ probes: { sent: 1, refused: 0, accepted: ['e1'] } });
    expect(violations.join('\n')).to.match(/another lease's token was accepted/);
  });
});
