import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { ACCESS_POLICY } from '../../../src/adapters/grpc/auth/access-policy.js';
import type { Role } from '../../../src/adapters/grpc/auth/principal.js';
import { createServiceClient, type CallSettings } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { JobSchedulerService } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { QuotaService } from '../../../src/gen/jobscheduler/v1/quota_service_pb.js';
import { WebhookService } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { authEnv, bearer, codeOf, mintToken } from '../../support/security.js';
import { methodsOf, SecuredServer } from './secured-server.js';

/**
 * The role table as the issue states it, written out independently of src/: the server's table
 * must agree with it for every RPC the generated descriptors list. A new RPC appears here as a
 * failure that names it until someone decides its role.
 */
const SPEC: Record<string, Role> = {
  ...Object.fromEntries(
    ['GetJob', 'ListJobs', 'ListExecutions', 'GetExecution', 'GetJobStats', 'GetSchedulerMetrics', 'WatchExecutions', 'PreviewSchedule', 'GetMetricsHistory', 'ListOccurrences'].map((name) => [
      `/${JobSchedulerService.typeName}/${name}`,
      'reader',
    ]),
  ),
  ...Object.fromEntries(
    [
      'CreateJob',
      'BatchCreateJobs',
      'UpdateJob',
      'DeleteJob',
      'PauseJob',
      'ResumeJob',
      'CancelJob',
      'RetryJob',
      'RunJob',
      'PauseJobs',
      'ResumeJobs',
      'CancelJobs',
      'CancelExecution',
    ].map((name) => [`/${JobSchedulerService.typeName}/${name}`, 'operator']),
  ),
  ...Object.fromEntries(WorkerService.methods.map((method) => [`/${WorkerService.typeName}/${method.name}`, 'worker'])),
  ...Object.fromEntries(QuotaService.methods.map((method) => [`/${QuotaService.typeName}/${method.name}`, 'admin'])),
  // Webhooks send the cluster's events to a URL of the caller's choosing: admins only; the
  // subscriptions and the delivery log (URLs, endpoints' errors) are read by operators.
  ...Object.fromEntries(['GetSubscription', 'ListSubscriptions', 'ListDeliveries'].map((name) => [`/${WebhookService.typeName}/${name}`, 'operator'])),
  ...Object.fromEntries(['CreateSubscription', 'UpdateSubscription', 'DeleteSubscription', 'RotateSecret'].map((name) => [`/${WebhookService.typeName}/${name}`, 'admin'])),
};

/** Which roles satisfy which requirement (admin satisfies all). */
const SATISFIES: Record<Role, Role[]> = { reader: ['reader', 'operator', 'admin'], operator: ['operator', 'admin'], worker: ['worker', 'admin'], admin: ['admin'] };
const ALL_ROLES: Role[] = ['reader', 'operator', 'worker', 'admin'];
const DENIED = [status.UNAUTHENTICATED, status.PERMISSION_DENIED];
const RPCS = [...methodsOf(JobSchedulerService), ...methodsOf(WorkerService), ...methodsOf(QuotaService), ...methodsOf(WebhookService)];

describe('security: the role table for every RPC (HS256 tokens)', () => {
  let server: SecuredServer;
  let clients: Map<DescService, Record<string, (request: object, settings?: CallSettings) => unknown> & { close(): void }>;
  const tokens: Record<string, string> = {};

  before(async () => {
    server = await SecuredServer.start(authEnv());
    clients = new Map(
      [JobSchedulerService, WorkerService, QuotaService, WebhookService].map((service) => [service, createServiceClient(service as DescService, server.address) as never]),
    );
    for (const role of ALL_ROLES) tokens[role] = await mintToken({ sub: `${role}-user`, roles: [role] });
    tokens.badSignature = await mintToken({ roles: ALL_ROLES, secret: 'another-secret-of-sufficient-length-000' });
    tokens.expired = await mintToken({ roles: ALL_ROLES, expiresIn: -3600 });
    tokens.wrongAudience = await mintToken({ roles: ALL_ROLES, audience: 'billing' });
    tokens.emptySubject = await mintToken({ roles: ALL_ROLES, sub: '' });
    tokens.blankSubject = await mintToken({ roles: ALL_ROLES, sub: ' \t ' });
    tokens.numericSubject = await mintToken({ roles: ALL_ROLES, sub: undefined, claims: { sub: 42 as unknown as string } });
  });
  after(async () => {
    for (const client of clients.values()) client.close();
    await server.stop();
  });

  /** Calls one RPC with an empty request and the given metadata; a stream is read to its end. */
  async function call(rpc: (typeof RPCS)[number], metadata: Record<string, string>): Promise<{ code: status; details: string }> {
    const invoke = clients.get(rpc.service)![rpc.localName]!;
    if (rpc.kind === 'bidi_streaming') {
      const stream = (invoke as (settings: unknown) => { send(m: unknown): Promise<void>; end(): void } & AsyncIterable<unknown>)({ metadata, deadline: Date.now() + 5_000 });
      return codeOf(
        (async () => {
          await stream.send({});
          stream.end();
          for await (const _ of stream);
        })(),
      );
    }
    if (rpc.kind === 'server_streaming') {
      return codeOf(
        (async () => {
          for await (const _ of invoke({}, { metadata, deadline: 400 }) as AsyncIterable<unknown>);
        })(),
      );
    }
    return codeOf(invoke({}, { metadata, deadline: 5_000 }) as Promise<unknown>);
  }

  it('has a role in the spec table for every RPC of the generated descriptors', () => {
    const missing = RPCS.filter((rpc) => SPEC[rpc.path] === undefined).map((rpc) => rpc.path);
    expect(missing, 'RPCs without a role in this test').to.deep.equal([]);
    expect(ACCESS_POLICY.missing, 'RPCs without a rule in src/adapters/grpc/auth/access-policy.ts').to.deep.equal([]);
    expect([...ACCESS_POLICY.methods].sort()).to.deep.equal(RPCS.map((rpc) => rpc.path).sort());
  });

  for (const rpc of RPCS) {
    it(`${rpc.path}: needs role ${SPEC[rpc.path] ?? '(none in the spec!)'}`, async () => {
      const required = SPEC[rpc.path];
      expect(required, `${rpc.path} has no role in the spec table`).not.to.equal(undefined);
      const unauthenticated: Array<[string, Record<string, string>, RegExp]> = [
        ['no token', {}, /^missing bearer token/],
        ['malformed token', { authorization: 'Bearer not-a-jwt' }, /^malformed bearer token/],
        ['not a bearer header', { authorization: 'Basic dXNlcjpwYXNz' }, /^malformed authorization header/],
        ['bad signature', bearer(tokens.badSignature!), /^bad token signature$/],
        ['expired', bearer(tokens.expired!), /^token expired at \d{4}-\d\d-\d\dT/],
        ['wrong audience', bearer(tokens.wrongAudience!), /^wrong audience/],
        ['empty sub', bearer(tokens.emptySubject!), /^token has an empty sub claim: it must name the caller$/],
        ['blank sub', bearer(tokens.blankSubject!), /^token has an empty sub claim: it must name the caller$/],
        ['sub not a string', bearer(tokens.numericSubject!), /^token sub claim is not a string: it must name the caller$/],
      ];
      const rows: string[] = [];
      const expected: string[] = [];
      for (const [name, metadata, message] of unauthenticated) {
        const { code, details } = await call(rpc, metadata);
        rows.push(`${name}: ${status[code]} ${message.test(details) ? 'message ok' : `message ${JSON.stringify(details)}`}`);
        expected.push(`${name}: UNAUTHENTICATED message ok`);
      }
      for (const role of ALL_ROLES) {
        const { code, details } = await call(rpc, bearer(tokens[role]!));
        const allowed = SATISFIES[required!].includes(role);
        if (allowed) {
          rows.push(`role ${role}: ${DENIED.includes(code) ? `${status[code]} ${details}` : 'allowed'}`);
          expected.push(`role ${role}: allowed`);
        } else {
          const named = new RegExp(`^role ${SATISFIES[required!].join(' or ')} required for ${rpc.name}; "${role}-user" has only ${role}$`).test(details);
          rows.push(`role ${role}: ${status[code]} ${named ? 'message ok' : `message ${JSON.stringify(details)}`}`);
          expected.push(`role ${role}: PERMISSION_DENIED message ok`);
        }
      }
      expect(rows).to.deep.equal(expected);
      expect(ACCESS_POLICY.ruleFor(rpc.path)?.role).to.equal(required);
    });
  }

  it('repeats at most 100 characters of the subject when it refuses a role', async () => {
    const rpc = RPCS.find((candidate) => candidate.name === 'CreateJob')!;
    const { code, details } = await call(rpc, bearer(await mintToken({ sub: 's'.repeat(5_000), roles: ['reader'] })));
    expect(status[code]).to.equal('PERMISSION_DENIED');
    expect(details).to.equal(`role operator or admin required for CreateJob; "${'s'.repeat(100)}…" has only reader`);
  });

  it('never echoes the token in an error message', async () => {
    const rpc = RPCS.find((candidate) => candidate.name === 'CreateJob')!;
    for (const token of [tokens.expired!, tokens.badSignature!, tokens.wrongAudience!, tokens.reader!]) {
      const { details } = await call(rpc, bearer(token));
      for (const part of token.split('.')) expect(details).not.to.include(part);
    }
  });

  it('keeps grpc.health.v1 reachable without a token', async () => {
    const health = createServiceClient(Health, server.address);
    try {
      expect((await health.check({})).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      expect((await health.check({ service: JobSchedulerService.typeName })).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      health.close();
    }
  });
});
