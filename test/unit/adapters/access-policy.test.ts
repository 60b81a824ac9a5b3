import { expect } from 'chai';
import { Metadata, status } from '@grpc/grpc-js';
import { AccessPolicy, JOB_SCHEDULER_RULES, WORKER_RULES } from '../../../src/adapters/grpc/auth/access-policy.js';
import { bearerToken, CallGuard } from '../../../src/adapters/grpc/auth/call-guard.js';
import { grants, ROLES, type Principal, type Role } from '../../../src/adapters/grpc/auth/principal.js';
import { claimAt, rolesOf } from '../../../src/adapters/grpc/auth/token-verifier.js';
import { GrpcError } from '../../../src/adapters/grpc/status-table.js';
import { JobSchedulerService } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';

const principal = (...roles: Role[]): Principal => ({ subject: 'u', roles: new Set(roles), via: 'jwt' });

function refusal(action: () => unknown): { code: status; message: string } | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    expect(error).to.be.instanceOf(GrpcError);
    return { code: (error as GrpcError).code, message: (error as GrpcError).message };
  }
}

describe('access policy (role table)', () => {
  it('lists and refuses an RPC whose rule is missing (fail closed)', () => {
    const { previewSchedule: _dropped, ...incomplete } = JOB_SCHEDULER_RULES;
    const policy = new AccessPolicy([
      { service: JobSchedulerService, rules: incomplete },
      { service: WorkerService, rules: WORKER_RULES },
    ]);
    expect(policy.missing).to.deep.equal(['/jobscheduler.v1.JobSchedulerService/PreviewSchedule']);
    const guard = new CallGuard(undefined, policy);
    expect(refusal(() => guard.authorize('/jobscheduler.v1.JobSchedulerService/PreviewSchedule', principal('admin')))).to.deep.equal({
      code: status.PERMISSION_DENIED,
      message: '/jobscheduler.v1.JobSchedulerService/PreviewSchedule has no entry in the role table, so it is refused',
    });
    expect(refusal(() => guard.authorize('/jobscheduler.v1.JobSchedulerService/GetJob', principal('reader')))).to.equal(undefined);
  });

  it('refuses a method of a service it does not know, even to admin and with authentication off', () => {
    const guard = new CallGuard(undefined);
    expect(refusal(() => guard.authorize('/other.v1.Service/Do', principal('admin')))?.code).to.equal(status.PERMISSION_DENIED);
  });

  it('grants: operator includes reader, admin everything, worker only itself', () => {
    const table = Object.fromEntries(ROLES.map((held) => [held, ROLES.filter((required) => grants(new Set([held]), required))]));
    expect(table).to.deep.equal({ reader: ['reader'], operator: ['reader', 'operator'], worker: ['worker'], admin: ['reader', 'operator', 'worker', 'admin'] });
    expect(grants(new Set(), 'reader')).to.equal(false);
  });

  it('reads roles from an array or a space/comma separated string, ignoring unknown names', () => {
    expect([...rolesOf(['reader', 'root', 'worker'])]).to.deep.equal(['reader', 'worker']);
    expect([...rolesOf('operator,reader  admin')]).to.deep.equal(['reader', 'operator', 'admin']);
    expect([...rolesOf(42)]).to.deep.equal([]);
    expect([...rolesOf([1, 'admin'])]).to.deep.equal(['admin']);
  });

  it('finds the roles claim by name or by dotted path', () => {
    expect(claimAt({ roles: ['a'] }, 'roles')).to.deep.equal(['a']);
    expect(claimAt({ 'https://example.com/roles': 'x' }, 'https://example.com/roles')).to.equal('x');
    expect(claimAt({ realm_access: { roles: ['b'] } }, 'realm_access.roles')).to.deep.equal(['b']);
    expect(claimAt({ realm_access: ['b'] }, 'realm_access.roles')).to.equal(undefined);
  });

  it('takes exactly one bearer authorization header', () => {
    const metadata = (...values: string[]) => {
      const result = new Metadata();
      for (const value of values) result.add('authorization', value);
      return result;
    };
    expect(bearerToken(metadata('Bearer abc.def.ghi'))).to.equal('abc.def.ghi');
    expect(bearerToken(metadata('bearer   abc.def.ghi '))).to.equal('abc.def.ghi');
    const problems = [metadata(), metadata('Bearer a', 'Bearer b'), metadata('Basic abc'), metadata('Bearer'), metadata('Bearer a b')].map((given) => refusal(() => bearerToken(given)));
    expect(problems.map((problem) => problem?.code)).to.deep.equal(Array(5).fill(status.UNAUTHENTICATED));
    expect(problems.map((problem) => problem?.message.split(':')[0])).to.deep.equal([
      'missing bearer token',
      'several authorization headers',
      'malformed authorization header',
      'malformed authorization header',
      'malformed authorization header',
    ]);
  });
});
