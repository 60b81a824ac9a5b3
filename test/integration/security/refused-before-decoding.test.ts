import { expect } from 'chai';
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { BatchCreateJobsRequestSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { eventually } from '../../support/eventually.js';
import { authEnv, mintToken } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

const BATCH_CREATE = '/jobscheduler.v1.JobSchedulerService/BatchCreateJobs';

/** A client that sends bytes as they are as a BatchCreateJobs request. */
function rawBatchClient(address: string) {
  const identity = (bytes: Buffer) => bytes;
  const Client = makeGenericClientConstructor(
    { batch: { path: BATCH_CREATE, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    'RawBatch',
  );
  const client = new Client(address, credentials.createInsecure()) as unknown as {
    batch(bytes: Buffer, metadata: Metadata, callback: (error: ServiceError | null) => void): void;
    close(): void;
  };
  const send = (bytes: Buffer, token?: string): Promise<{ code: string; details: string }> => {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => client.batch(bytes, metadata, (error) => resolve({ code: status[error?.code ?? status.OK], details: error?.details ?? '' })));
  };
  return { send, close: () => client.close() };
}

/** About 2.5 MB of valid BatchCreateJobs: 1,000 jobs with many small payload values, none of them valid (no schedule). */
function largeValidBatch(): Buffer {
  const values = Array.from({ length: 6 }, () => ({ kind: { case: 'numberValue' as const, value: 1.5 } }));
  const payload = { fields: Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`k${k}`, { kind: { case: 'listValue' as const, value: { values } } }])) };
  const requests = Array.from({ length: 1000 }, (_, i) => ({ job: { name: `large-${i}`, type: 'x'.repeat(200), payload } }));
  return Buffer.from(toBinary(BatchCreateJobsRequestSchema, create(BatchCreateJobsRequestSchema, { requests })));
}

/** Counts calls of a method (a sinon spy would record each of the millions of calls of a large decode). */
function countCalls<T extends object>(target: T, name: keyof T & string): { callCount: number; restore(): void } {
  const original = target[name] as (...args: unknown[]) => unknown;
  const counter = {
    callCount: 0,
    restore: () => Object.assign(target, { [name]: original }),
  };
  Object.assign(target, {
    [name](this: unknown, ...args: unknown[]) {
      counter.callCount += 1;
      return original.apply(this, args);
    },
  });
  return counter;
}

/**
 * With authentication on, a caller the guard refuses must not cost a decode of its message: the
 * server keeps the request bytes undecoded until the caller is authenticated and authorized.
 * Decoding is observed by counting the protobuf reader's tag reads in this process (server and
 * test share it; nothing else decodes while a refused call runs).
 */
describe('security: requests of refused callers are never decoded', () => {
  let server: SecuredServer;
  let client: ReturnType<typeof rawBatchClient>;
  let reads: { callCount: number; restore(): void };
  const tokens: Record<string, string> = {};
  const garbage = Buffer.alloc(3_000_000, 0xff); // not protobuf: 0xff… is an unterminated varint
  let valid: Buffer;

  before(async () => {
    server = await SecuredServer.start(authEnv());
    client = rawBatchClient(server.address);
    tokens.reader = await mintToken({ sub: 'dashboard', roles: ['reader'] });
    tokens.operator = await mintToken({ sub: 'ops-bot', roles: ['operator'] });
    valid = largeValidBatch();
  });
  beforeEach(() => {
    reads = countCalls(BinaryReader.prototype, 'tag');
  });
  afterEach(() => reads.restore());
  after(async () => {
    client.close();
    await server.stop();
  });

  it('refuses a large request without a token UNAUTHENTICATED, without decoding it', async () => {
    expect(valid.length).to.be.within(2_000_000, 4_000_000);
    expect(await client.send(garbage)).to.deep.equal({ code: 'UNAUTHENTICATED', details: 'missing bearer token: send metadata "authorization: Bearer <token>"' });
    expect((await client.send(valid)).code).to.equal('UNAUTHENTICATED');
    expect((await client.send(valid, 'not-a-jwt')).code).to.equal('UNAUTHENTICATED');
    expect(reads.callCount, 'protobuf tags read for refused calls').to.equal(0);
  });

  it('refuses a large request of a caller without the role PERMISSION_DENIED, without decoding it', async () => {
    expect((await client.send(garbage, tokens.reader)).code).to.equal('PERMISSION_DENIED');
    expect((await client.send(valid, tokens.reader)).code).to.equal('PERMISSION_DENIED');
    expect(reads.callCount, 'protobuf tags read for refused calls').to.equal(0);
  });

  it('decodes the request of an admitted caller, and still answers unreadable bytes INVALID_ARGUMENT', async () => {
    const unreadable = await client.send(garbage, tokens.operator);
    expect(unreadable.code).to.equal('INVALID_ARGUMENT');
    expect(unreadable.details).to.match(/^the request is not a valid jobscheduler\.v1\.BatchCreateJobsRequest message/);
    expect((await client.send(valid, tokens.operator)).code).to.equal('INVALID_ARGUMENT');
    expect(reads.callCount, 'protobuf tags read once admitted').to.be.greaterThan(1000);
  });

  it('gives the audit log no request fields for a call refused before decoding', async () => {
    const from = server.audit().length;
    await client.send(valid);
    await client.send(valid, tokens.reader);
    const lines = await eventually(() => {
      const since = server.audit().slice(from);
      expect(since).to.have.length(2);
      return since.map(({ subject, via, rpc, code, ...rest }) => ({ subject, via, rpc, code, requestFields: Object.keys(rest).filter((key) => !['level', 'time', 'pid', 'hostname', 'msg', 'logger', 'correlation_id', 'peer'].includes(key)) }));
    });
    expect(lines).to.deep.equal([
      { subject: 'anonymous', via: 'none', rpc: BATCH_CREATE, code: 'UNAUTHENTICATED', requestFields: [] },
      { subject: 'dashboard', via: 'jwt', rpc: BATCH_CREATE, code: 'PERMISSION_DENIED', requestFields: [] },
    ]);
  });
});
