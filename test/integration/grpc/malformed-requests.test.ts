import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { credentials, makeGenericClientConstructor, status, type ServiceError } from '@grpc/grpc-js';
import { JobSchedulerService } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/** A client that sends raw bytes as the request message of any method. */
function rawClient(address: string) {
  const identity = (bytes: Buffer) => bytes;
  const methods = Object.fromEntries(
    [JobSchedulerService, WorkerService].flatMap((service) =>
      service.methods
        .filter((m) => m.methodKind === 'unary')
        .map((m) => [`${service.name}.${m.name}`, { path: `/${service.typeName}/${m.name}`, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity }]),
    ),
  );
  const Client = makeGenericClientConstructor(methods, 'Raw');
  return { client: new Client(address, credentials.createInsecure()) as unknown as Record<string, (b: Buffer, cb: (e: ServiceError | null) => void) => void> & { close(): void }, names: Object.keys(methods) };
}

describe('malformed request bytes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('answer INVALID_ARGUMENT naming the message type, never INTERNAL, for every unary RPC', async () => {
    const { client, names } = rawClient(server.address);
    try {
      // A truncated length-delimited field (tag 1, wire type 2, length 100, 3 bytes) cannot parse.
      const garbage = Buffer.from([0x0a, 0x64, 0x01, 0x02, 0x03]);
      for (const name of names) {
        const error = await new Promise<ServiceError | null>((resolve) => client[name]!(garbage, resolve));
        expect(error?.code, name).to.equal(status.INVALID_ARGUMENT);
        expect(error?.details, name).to.match(/^the request is not a valid jobscheduler\.v1\.\w+Request message/);
      }
      // A string field (tag 1, wire type 2) whose bytes are not UTF-8.
      const notUtf8 = Buffer.from([0x0a, 0x02, 0xff, 0xfe]);
      const notUtf8Error = await new Promise<ServiceError | null>((resolve) => client['JobSchedulerService.GetJob']!(notUtf8, resolve));
      expect(notUtf8Error?.code).to.equal(status.INVALID_ARGUMENT);
      expect(notUtf8Error?.details).to.equal('the request is not a valid jobscheduler.v1.GetJobRequest message: a string field holds bytes that are not valid UTF-8 (proto3 strings must be UTF-8)');
      // Random bytes: either an unreadable message or a readable but invalid one; never INTERNAL.
      for (let i = 0; i < 200; i += 1) {
        const name = names[i % names.length] as string;
        const error = await new Promise<ServiceError | null>((resolve) => client[name]!(randomBytes(1 + (i % 64)), resolve));
        expect([status.INTERNAL, status.UNKNOWN], `${name}: ${error?.details}`).not.to.include(error?.code);
      }
    } finally {
      client.close();
    }
  });
});
