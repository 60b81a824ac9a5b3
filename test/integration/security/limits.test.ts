import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { codeOf } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

const ONCE = { kind: { case: 'once' as const, value: {} } };

describe('security: limits against oversized requests and stream floods', () => {
  let server: SecuredServer;
  let client: JobSchedulerClient;
  before(async () => {
    server = await SecuredServer.start({ MAX_PAYLOAD_BYTES: '1024', GRPC_MAX_RECEIVE_BYTES: '65536', GRPC_MAX_CONCURRENT_STREAMS: '4' });
    client = createJobSchedulerClient(server.address);
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  const createWithPayload = (bytes: number) =>
    client.createJob({ job: { name: `payload-${bytes}`, type: 'limits.test', schedule: ONCE, payload: { data: 'x'.repeat(bytes) } } }, { deadline: 5_000 });

  it('accepts a payload under MAX_PAYLOAD_BYTES', async () => {
    expect((await codeOf(createWithPayload(500))).code).to.equal(status.OK);
  });

  it('refuses a payload over MAX_PAYLOAD_BYTES with INVALID_ARGUMENT naming the limit, and keeps serving', async () => {
    const { code, details } = await codeOf(createWithPayload(2_000));
    expect(status[code]).to.equal('INVALID_ARGUMENT');
    expect(details).to.match(/payload is \d+ bytes encoded; the limit is 1024/);
    expect((await codeOf(createWithPayload(10))).code).to.equal(status.OK);
  });

  it('refuses a message over GRPC_MAX_RECEIVE_BYTES with RESOURCE_EXHAUSTED, and the same connection keeps serving', async () => {
    const { code, details } = await codeOf(createWithPayload(100_000));
    expect(status[code]).to.equal('RESOURCE_EXHAUSTED');
    expect(details).to.match(/message larger than max/i);
    expect((await codeOf(createWithPayload(10))).code).to.equal(status.OK);
    expect((await codeOf(client.getSchedulerMetrics({}))).code).to.equal(status.OK);
  });

  it('serves other clients while one sends oversized messages', async () => {
    const other = createJobSchedulerClient(server.address, undefined, { 'grpc.use_local_subchannel_pool': 1 });
    try {
      const floods = Array.from({ length: 5 }, () => codeOf(createWithPayload(200_000)));
      const [metrics, ...rest] = await Promise.all([codeOf(other.getSchedulerMetrics({})), ...floods]);
      expect(metrics.code).to.equal(status.OK);
      expect(rest.map((result) => status[result.code])).to.deep.equal(Array(5).fill('RESOURCE_EXHAUSTED'));
    } finally {
      other.close();
    }
  });

  it('caps concurrent calls on one connection at GRPC_MAX_CONCURRENT_STREAMS; other connections are unaffected', async () => {
    const watches = Array.from({ length: 4 }, () => new AbortController());
    const running = watches.map((watch) =>
      codeOf(
        (async () => {
          for await (const _ of client.watchExecutions({}, { signal: watch.signal }));
        })(),
      ),
    );
    // grpc-js shares connections between clients of one target unless told otherwise.
    const other = createJobSchedulerClient(server.address, undefined, { 'grpc.use_local_subchannel_pool': 1 });
    try {
      // Four open streams fill the connection: a fifth call on it waits for a free stream.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(status[(await codeOf(client.getSchedulerMetrics({}, { deadline: 500 }))).code]).to.equal('DEADLINE_EXCEEDED');
      expect((await codeOf(other.getSchedulerMetrics({}, { deadline: 2_000 }))).code).to.equal(status.OK);
    } finally {
      other.close();
      watches.forEach((watch) => watch.abort());
    }
    expect((await Promise.all(running)).map((result) => status[result.code])).to.deep.equal(Array(4).fill('CANCELLED'));
    expect((await codeOf(client.getSchedulerMetrics({}, { deadline: 2_000 }))).code).to.equal(status.OK);
  });
});
