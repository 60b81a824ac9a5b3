import { expect } from 'chai';
import { AREAS } from './cases/index.js';
import { casesOf, SERVICES, type Outcome } from './support/contract.js';

/**
 * Outcomes an RPC must have cases for beyond the two every RPC needs (a success, and
 * INVALID_ARGUMENT for a missing or invalid argument), by the RPC's proto name, as the contract
 * documents them: NOT_FOUND for an unknown id, FAILED_PRECONDITION for a state that does not allow
 * the call (or a lease that is not held), ABORTED for a stale version, ALREADY_EXISTS for a reused
 * request_id.
 */
const ALSO_REQUIRED: Readonly<Record<string, readonly Outcome[]>> = {
  CreateJob: ['ALREADY_EXISTS'],
  BatchCreateJobs: ['ALREADY_EXISTS'],
  GetJob: ['NOT_FOUND'],
  UpdateJob: ['NOT_FOUND', 'FAILED_PRECONDITION', 'ABORTED'],
  DeleteJob: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  PauseJob: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  ResumeJob: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  CancelJob: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  RetryJob: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  RunJob: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  CancelExecution: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  ListExecutions: ['NOT_FOUND'],
  GetExecution: ['NOT_FOUND'],
  GetJobStats: ['NOT_FOUND'],
  CompleteExecution: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  FailExecution: ['NOT_FOUND', 'FAILED_PRECONDITION'],
  GetQuota: ['NOT_FOUND'],
  DeleteQuota: ['NOT_FOUND'],
  GetSubscription: ['NOT_FOUND'],
  UpdateSubscription: ['NOT_FOUND'],
  DeleteSubscription: ['NOT_FOUND'],
  RotateSecret: ['NOT_FOUND'],
  ListDeliveries: ['NOT_FOUND'],
};

describe('contract: every RPC of the generated service descriptors has contract cases', () => {
  for (const { service, key } of SERVICES) {
    for (const method of service.methods) {
      const rpc = `${service.typeName}/${method.name}`;
      // A request without fields cannot be invalid; the descriptor proves it, so no case is asked for.
      const required: Outcome[] = ['OK', ...(method.input.fields.length > 0 ? (['INVALID_ARGUMENT'] as const) : []), ...(ALSO_REQUIRED[method.name] ?? [])];
      it(`${rpc}: ${required.join(', ')}`, () => {
        const cases = casesOf(Object.values(AREAS), key, method);
        expect(cases, `${rpc} has no contract cases: add them under test/contract/cases/`).to.not.be.empty;
        const missing = required.filter((outcome) => !cases.some((c) => c.outcome === outcome));
        expect(missing, `${rpc} has no contract case for`).to.deep.equal([]);
      });
    }
  }

  it('names only RPCs that exist (a renamed or removed RPC leaves no stale requirement)', () => {
    const names = new Set(SERVICES.flatMap(({ service }) => service.methods.map((m) => m.name)));
    expect(Object.keys(ALSO_REQUIRED).filter((name) => !names.has(name))).to.deep.equal([]);
  });

  it('enumerates every service of the contract from the generated descriptors', () => {
    expect(SERVICES.map(({ service }) => service.typeName)).to.deep.equal(['jobscheduler.v1.JobSchedulerService', 'jobscheduler.v1.WorkerService', 'jobscheduler.v1.QuotaService', 'jobscheduler.v1.WebhookService']);
    for (const { service } of SERVICES) expect(service.methods, service.typeName).to.not.be.empty;
  });
});
