import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { createJobSchedulerClient, createWorkerClient, type JobSchedulerClient, type WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { eventually } from '../../support/eventually.js';
import { authEnv, bearer, codeOf, mintToken } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

const SCHEDULER = '/jobscheduler.v1.JobSchedulerService';
const WORKER = '/jobscheduler.v1.WorkerService';

describe('security: the audit log of state-changing calls', () => {
  let server: SecuredServer;
  let operator: JobSchedulerClient;
  let reader: JobSchedulerClient;
  let anonymous: JobSchedulerClient;
  let worker: WorkerClient;
  const tokens: string[] = [];

  before(async () => {
    server = await SecuredServer.start(authEnv());
    tokens.push(await mintToken({ sub: 'ops-bot', roles: ['operator'] }), await mintToken({ sub: 'dashboard', roles: 'reader' }), await mintToken({ sub: 'worker-1', roles: ['worker'] }));
    operator = createJobSchedulerClient(server.address, { token: tokens[0]! });
    reader = createJobSchedulerClient(server.address, { token: tokens[1]! });
    worker = createWorkerClient(server.address, { token: tokens[2]! });
    anonymous = createJobSchedulerClient(server.address);
  });
  after(async () => {
    for (const client of [operator, reader, worker, anonymous]) client.close();
    await server.stop();
  });

  /** The audit lines written since `from`, without the fields every line has. */
  async function auditSince(from: number, count: number): Promise<Array<Record<string, unknown>>> {
    return eventually(() => {
      const lines = server.audit().filter((_, i) => i >= from);
      expect(lines).to.have.length.of.at.least(count);
      return lines.map(({ level, time, pid, hostname, msg, logger, correlation_id, peer, ...rest }) => {
        expect([level, msg, logger]).to.deep.equal([30, 'audit', 'audit']);
        expect(correlation_id).to.be.a('string');
        expect(peer).to.match(/^(ipv4:)?127\.0\.0\.1:\d+$/);
        return rest;
      });
    });
  }

  it('records who did what to which job or execution, and the outcome', async () => {
    const from = server.audit().length;
    const { job } = await operator.createJob({ job: { name: 'audited', type: 'audit.test', schedule: { kind: { case: 'once', value: {} } } }, requestId: 'req-1' });
    const jobId = job!.id;
    await operator.getJob({ id: jobId });
    await operator.listJobs({});
    const [acquired] = await eventually(async () => {
      const { executions } = await worker.acquireExecutions({ workerId: 'w1', jobTypes: ['audit.test'], capacity: 1 });
      expect(executions).to.have.length(1);
      return executions;
    });
    const executionId = acquired!.execution!.id;
    await worker.heartbeat({ workerId: 'w1', leases: [{ executionId, leaseToken: acquired!.leaseToken }] });
    await worker.completeExecution({ executionId, leaseToken: acquired!.leaseToken });
    const denied = await codeOf(reader.pauseJob({ id: jobId }));
    const refused = await codeOf(anonymous.deleteJob({ id: jobId }));
    const missing = await codeOf(operator.pauseJob({ id: '00000000-0000-4000-8000-000000000000' }));
    expect([denied, refused, missing].map((result) => status[result.code])).to.deep.equal(['PERMISSION_DENIED', 'UNAUTHENTICATED', 'NOT_FOUND']);
    await operator.deleteJob({ id: jobId, force: true });

    expect(await auditSince(from, 7)).to.deep.equal([
      { subject: 'ops-bot', via: 'jwt', rpc: `${SCHEDULER}/CreateJob`, job_id: jobId, job_type: 'audit.test', request_id: 'req-1', code: 'OK' },
      { subject: 'worker-1', via: 'jwt', rpc: `${WORKER}/AcquireExecutions`, worker_id: 'w1', execution_ids: [executionId], code: 'OK' },
      { subject: 'worker-1', via: 'jwt', rpc: `${WORKER}/CompleteExecution`, execution_id: executionId, code: 'OK' },
      // Refused before their requests were decoded: who and which RPC, but no ids.
      { subject: 'dashboard', via: 'jwt', rpc: `${SCHEDULER}/PauseJob`, code: 'PERMISSION_DENIED' },
      { subject: 'anonymous', via: 'none', rpc: `${SCHEDULER}/DeleteJob`, code: 'UNAUTHENTICATED' },
      { subject: 'ops-bot', via: 'jwt', rpc: `${SCHEDULER}/PauseJob`, job_id: '00000000-0000-4000-8000-000000000000', code: 'NOT_FOUND' },
      { subject: 'ops-bot', via: 'jwt', rpc: `${SCHEDULER}/DeleteJob`, job_id: jobId, force: 'true', code: 'OK' },
    ]);
  });

  it('writes no line for read-only calls, heartbeats or an acquire that found nothing', async () => {
    const from = server.audit().length;
    await operator.listJobs({});
    await operator.getSchedulerMetrics({});
    await reader.listExecutions({});
    await worker.acquireExecutions({ workerId: 'w2', jobTypes: ['nothing.here'], capacity: 1 });
    await codeOf(worker.heartbeat({ workerId: 'w2', leases: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: 'x' }] }));
    await operator.pauseJobs({ selector: { selection: { case: 'ids', value: { ids: [] } } } }).catch(() => undefined);
    const lines = await auditSince(from, 1);
    expect(lines.map((line) => line.rpc)).to.deep.equal([`${SCHEDULER}/PauseJobs`]);
  });

  it('records which reported outcomes were accepted and which were refused', async () => {
    await operator.createJob({ job: { name: 'audited outcomes', type: 'audit.outcomes', schedule: { kind: { case: 'once', value: {} } } } });
    const [acquired] = await eventually(async () => {
      const { executions } = await worker.acquireExecutions({ workerId: 'w3', jobTypes: ['audit.outcomes'], capacity: 1 });
      expect(executions).to.have.length(1);
      return executions;
    });
    const executionId = acquired!.execution!.id;
    const unknown = '00000000-0000-4000-8000-00000000000f';
    const from = server.audit().length;
    const { results } = await worker.reportOutcomes({
      workerId: 'w3',
      outcomes: [
        { executionId, leaseToken: acquired!.leaseToken, outcome: { case: 'success', value: {} } },
        { executionId: unknown, leaseToken: unknown, outcome: { case: 'success', value: {} } },
      ],
    });
    expect(results.map((result) => result.accepted)).to.deep.equal([true, false]);
    expect(await auditSince(from, 1)).to.deep.equal([
      { subject: 'worker-1', via: 'jwt', rpc: `${WORKER}/ReportOutcomes`, worker_id: 'w3', accepted_execution_ids: [executionId], refused_execution_ids: [unknown], code: 'OK' },
    ]);
  });

  it('keeps every line small whatever the request holds: texts cut to 100 characters, lists to 100 entries', async () => {
    const huge = 'x'.repeat(1_000_000);
    const emoji = '\u{1F600}'.repeat(200_000);
    const many = (count: number, character: string) => Array.from({ length: count }, () => character.repeat(2_000));
    const longSubject = await mintToken({ sub: 's'.repeat(5_000), roles: ['operator'] });
    const from = server.audit().length;
    const calls = [
      () => anonymous.deleteJob({ id: huge }, { metadata: bearer(longSubject) }),
      () => operator.createJob({ job: { name: 'n', type: huge, schedule: { kind: { case: 'once', value: {} } } }, requestId: emoji }),
      () => operator.updateJob({ job: { id: huge }, updateMask: { paths: many(1_000, 'p') } }),
      () => operator.pauseJobs({ selector: { selection: { case: 'ids', value: { ids: many(1_000, 'i') } } } }),
      () => worker.acquireExecutions({ workerId: huge, jobTypes: ['audit.none'], capacity: 1 }),
      () => worker.failExecution({ executionId: huge, leaseToken: huge }),
      () => worker.reportOutcomes({ workerId: huge, outcomes: many(1_000, 'e').map((executionId) => ({ executionId, leaseToken: 't', outcome: { case: 'success' as const, value: {} } })) }),
    ];
    for (const call of calls) expect((await codeOf(call())).code).to.equal(status.INVALID_ARGUMENT);
    const lines = await eventually(() => {
      const since = server.audit().slice(from);
      expect(since).to.have.length(calls.length);
      return since;
    });
    for (const line of lines) {
      expect(JSON.stringify(line).length, String(line.rpc)).to.be.below(16_000);
      for (const [key, value] of Object.entries(line)) {
        if (typeof value === 'string') expect([...value].length, key).to.be.at.most(101);
        if (Array.isArray(value)) expect(value, key).to.have.length.of.at.most(100);
      }
    }
    const [deleted, created, updated, paused, acquired, failed, reported] = lines;
    expect(deleted).to.include({ subject: `${'s'.repeat(100)}…`, job_id: `${'x'.repeat(100)}…` });
    expect(created).to.include({ job_type: `${'x'.repeat(100)}…`, request_id: `${'\u{1F600}'.repeat(100)}…` });
    expect(updated).to.include({ job_id: `${'x'.repeat(100)}…`, fields_total: 1_000 });
    expect(paused).to.include({ job_ids_total: 1_000 });
    expect((paused!.job_ids as string[])[0]).to.equal(`${'i'.repeat(100)}…`);
    expect(acquired).to.include({ worker_id: `${'x'.repeat(100)}…` });
    expect(failed).to.include({ execution_id: `${'x'.repeat(100)}…` });
    expect(reported).to.include({ worker_id: `${'x'.repeat(100)}…`, execution_ids_total: 1_000 });
  });

  it('never logs a token', () => {
    const text = JSON.stringify(server.logs);
    for (const token of tokens) expect(text).not.to.include(token.split('.')[2]!);
  });
});
