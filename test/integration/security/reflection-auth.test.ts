import { expect } from 'chai';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { grpcServiceDefinition } from '../../../src/adapters/grpc/service-definition.js';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from '../../../src/gen/grpc/reflection/v1/reflection_pb.js';
import { authEnv, mintToken } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

/** Lists services through grpc.reflection.v1 with the given metadata; resolves with the names or the status code. */
async function listServices(address: string, metadata: Record<string, string> = {}): Promise<string[] | string> {
  const Client = makeGenericClientConstructor(grpcServiceDefinition(ServerReflection), 'ServerReflection');
  const client = new Client(address, credentials.createInsecure());
  const headers = new Metadata();
  for (const [key, value] of Object.entries(metadata)) headers.set(key, value);
  try {
    const call = (client as unknown as { serverReflectionInfo(metadata: Metadata): ClientDuplexStream<ServerReflectionRequest, ServerReflectionResponse> }).serverReflectionInfo(headers);
    const answer = new Promise<ServerReflectionResponse>((resolve, reject) => {
      call.once('data', resolve);
      call.once('error', reject);
    });
    const request: MessageInitShape<typeof ServerReflectionRequestSchema> = { messageRequest: { case: 'listServices', value: '' } };
    call.write(create(ServerReflectionRequestSchema, request));
    call.end();
    const response = await answer;
    return response.messageResponse.case === 'listServicesResponse' ? response.messageResponse.value.service.map((service) => service.name) : [];
  } catch (error) {
    return status[(error as ServiceError).code] ?? String(error);
  } finally {
    client.close();
  }
}

describe('security: reflection and health with authentication on', () => {
  describe('AUTH_REFLECTION=public (the default)', () => {
    let server: SecuredServer;
    before(async () => {
      server = await SecuredServer.start(authEnv());
    });
    after(() => server.stop());

    it('lists services without a token', async () => {
      expect(await listServices(server.address)).to.include('jobscheduler.v1.JobSchedulerService');
    });
  });

  describe('AUTH_REFLECTION=authenticated', () => {
    let server: SecuredServer;
    before(async () => {
      server = await SecuredServer.start(authEnv({ AUTH_REFLECTION: 'authenticated' }));
    });
    after(() => server.stop());

    it('refuses reflection without a valid token', async () => {
      expect(await listServices(server.address)).to.equal('UNAUTHENTICATED');
      expect(await listServices(server.address, { authorization: `Bearer ${await mintToken({ roles: ['reader'], expiresIn: -600 })}` })).to.equal('UNAUTHENTICATED');
    });

    it('answers any valid token, whatever its roles', async () => {
      expect(await listServices(server.address, { authorization: `Bearer ${await mintToken({ roles: [] })}` })).to.include('jobscheduler.v1.WorkerService');
    });

    it('keeps health unauthenticated', async () => {
      const health = createServiceClient(Health, server.address);
      try {
        expect((await health.check({})).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      } finally {
        health.close();
      }
    });
  });
});
