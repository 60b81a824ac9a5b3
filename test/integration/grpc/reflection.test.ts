import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createFileRegistry, create, fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { makeGenericClientConstructor, credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition } from '../../../src/adapters/grpc/service-definition.js';
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from '../../../src/gen/grpc/reflection/v1/reflection_pb.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { bufCurl } from '../../support/buf-curl.js';

const run = promisify(execFile);

describe('server reflection', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** One request/response exchange on grpc.reflection.v1.ServerReflection/ServerReflectionInfo. */
  async function reflect(request: MessageInitShape<typeof ServerReflectionRequestSchema>): Promise<ServerReflectionResponse> {
    const Client = makeGenericClientConstructor(grpcServiceDefinition(ServerReflection), 'ServerReflection');
    const client = new Client(server.address, credentials.createInsecure());
    try {
      const call = (client as unknown as { serverReflectionInfo(): ClientDuplexStream<ServerReflectionRequest, ServerReflectionResponse> }).serverReflectionInfo();
      const response = new Promise<ServerReflectionResponse>((resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
      });
      call.write(create(ServerReflectionRequestSchema, request));
      call.end();
      return await response;
    } finally {
      client.close();
    }
  }

  it('lists our services, health and reflection', async () => {
    const response = await reflect({ messageRequest: { case: 'listServices', value: '' } });
    expect(response.messageResponse.case).to.equal('listServicesResponse');
    const names = response.messageResponse.case === 'listServicesResponse' ? response.messageResponse.value.service.map((s) => s.name) : [];
    expect(names).to.include.members([
      'jobscheduler.v1.JobSchedulerService',
      'jobscheduler.v1.WorkerService',
      'jobscheduler.v1.WebhookService',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
    ]);
  });

  it('returns a service file with its dependencies, so messages importing well-known types resolve', async () => {
    const response = await reflect({ messageRequest: { case: 'fileContainingSymbol', value: 'jobscheduler.v1.JobSchedulerService' } });
    expect(response.messageResponse.case).to.equal('fileDescriptorResponse');
    const blobs = response.messageResponse.case === 'fileDescriptorResponse' ? response.messageResponse.value.fileDescriptorProto : [];
    const files = blobs.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    expect(files.map((f) => f.name)).to.include.members(['jobscheduler/v1/job_scheduler_service.proto', 'google/protobuf/timestamp.proto', 'google/protobuf/struct.proto']);
    // createFileRegistry fails if any file's dependency cannot be resolved from the response.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: dependenciesFirst(files) }));
    const job = registry.getMessage('jobscheduler.v1.Job') as DescMessage;
    expect(job.field.payload?.message?.typeName).to.equal('google.protobuf.Struct');
    expect(job.field.nextRunAt?.message?.typeName).to.equal('google.protobuf.Timestamp');
    const service = registry.getService('jobscheduler.v1.JobSchedulerService');
    expect(service?.methods.map((m) => m.name)).to.include('CreateJob');
  });

  describe('through buf curl (what grpcurl users see)', function () {
    this.timeout(60_000);

    it('lists the services', async () => {
      const { stdout } = await run('npx', ['--no-install', 'buf', 'curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-services', `http://${server.address}`]);
      expect(stdout.trim().split('\n')).to.include.members(['jobscheduler.v1.JobSchedulerService', 'jobscheduler.v1.WorkerService', 'grpc.health.v1.Health']);
    });

    it('calls grpc.health.v1.Health/Check', async () => {
      const { stdout } = await bufCurl(server.address, 'grpc.health.v1.Health/Check');
      expect(JSON.parse(stdout)).to.deep.equal({ status: 'SERVING' });
    });

    it('encodes a request that uses well-known types (Struct, Timestamp)', async () => {
      const body = { job: { name: 'n', type: 't', payload: { a: [1, 'b'] }, schedule: { once: { at: '2030-01-01T00:00:00Z' } } } };
      const { stdout, ok } = await bufCurl(server.address, 'jobscheduler.v1.JobSchedulerService/CreateJob', body);
      expect(ok).to.equal(true);
      expect(JSON.parse(stdout)).to.have.nested.property('job.payload.a[1]', 'b');
    });
  });
});

/** A FileDescriptorSet lists every file after the files it imports; a missing import throws. */
function dependenciesFirst(files: FileDescriptorProto[]): FileDescriptorProto[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (name: string): void => {
    const file = byName.get(name);
    if (!file) throw new Error(`reflection did not return ${name}`);
    if (ordered.includes(file)) return;
    file.dependency.forEach(visit);
    ordered.push(file);
  };
  files.forEach((file) => visit(file.name));
  return ordered;
}
