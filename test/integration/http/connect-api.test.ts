import { expect } from 'chai';
import { toBinary, fromBinary, create } from '@bufbuild/protobuf';
import { GetJobRequestSchema, GetJobResponseSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { connectStream, connectUnary, frame, frames, grpcWeb } from '../../support/http-rpc.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const FAR = '2999-01-01T00:00:00Z';
const job = (name: string, labels: Record<string, string> = {}) => ({ job: { name, type: 'http.test', schedule: { once: { at: FAR } }, labels } });

describe('HTTP port: Connect and gRPC-Web over the same handlers', () => {
  let server: TestServer;
  let base: string;

  before(async () => {
    server = await startTestServer();
    base = server.httpAddress as string;
  });
  after(async () => server.stop());

  it('CreateJob over Connect JSON makes a job the gRPC port reads back, and GetJob answers it as JSON', async () => {
    const created = await connectUnary(base, 'CreateJob', job('report', { team: 'web' }));
    expect(created.status).to.equal(200);
    const id = (created.body.job as { id: string }).id;
    const viaGrpc = await server.scheduler.getJob({ id });
    expect(viaGrpc.job?.name).to.equal('report');
    const read = await connectUnary(base, 'GetJob', { id });
    expect(read.headers.get('content-type')).to.equal('application/json');
    expect(read.body.job).to.include({ id, name: 'report', state: 'JOB_STATE_SCHEDULED', nextRunAt: FAR });
    expect((read.body.job as { labels: unknown }).labels).to.deep.equal({ team: 'web' });
  });

  it('answers errors from the error table: NOT_FOUND as HTTP 404 with the message and a correlation id', async () => {
    const answer = await connectUnary(base, 'GetJob', { id: '00000000-0000-4000-8000-000000000000' }, { 'x-correlation-id': 'trace-42' });
    expect(answer.status).to.equal(404);
    expect(answer.body.code).to.equal('not_found');
    expect(answer.body.message).to.match(/00000000-0000-4000-8000-000000000000/);
    expect(answer.headers.get('x-correlation-id')).to.equal('trace-42');
  });

  it('refuses a JSON body with an unknown field as INVALID_ARGUMENT naming the field, and a validation failure with the validator message', async () => {
    const unknown = await connectUnary(base, 'GetJob', { idd: 'x' });
    expect([unknown.status, unknown.body.code]).to.deep.equal([400, 'invalid_argument']);
    expect(unknown.body.message).to.match(/not a valid jobscheduler\.v1\.GetJobRequest message.*idd/);
    const invalid = await connectUnary(base, 'CreateJob', { job: { name: '', type: 'x', schedule: { once: { at: FAR } } } });
    expect([invalid.status, invalid.body.code]).to.deep.equal([400, 'invalid_argument']);
    expect(invalid.body.message).to.match(/name/);
  });

  it('streams WatchExecutions over Connect: the execution RunJob queues arrives, and a resumed watch starts after its cursor', async () => {
    const id = ((await connectUnary(base, 'CreateJob', job('watched'))).body.job as { id: string }).id;
    const watching = connectStream(base, 'WatchExecutions', { jobId: id }, { until: () => true });
    // The watch sees events from when it is subscribed, which the client cannot observe: run the
    // job until one arrives, and check it is one of these runs.
    const runs: string[] = [];
    let first: Awaited<typeof watching> | undefined;
    while (first === undefined && runs.length < 50) {
      const run = await connectUnary(base, 'RunJob', { id });
      expect(run.status).to.equal(200);
      runs.push((run.body.execution as { id: string }).id);
      first = await Promise.race([watching, new Promise<undefined>((resolve) => setTimeout(resolve, 100, undefined))]);
    }
    expect(first?.status).to.equal(200);
    const event = first?.messages[0]?.event as { cursor: string; execution: { id: string; jobId: string } };
    expect(event.execution.jobId).to.equal(id);
    expect(runs).to.include(event.execution.id);
    const second = await connectUnary(base, 'RunJob', { id });
    const resumed = await connectStream(base, 'WatchExecutions', { jobId: id, cursor: event.cursor }, { until: () => true });
    const next = resumed.messages[0]?.event as { cursor: string; execution: { id: string } };
    expect(next.cursor).to.not.equal(event.cursor);
    expect(next.execution.id).to.equal((second.body.execution as { id: string }).id);
  });

  it('ends a Connect stream with its error in the end frame (a malformed cursor) and honours Connect-Timeout-Ms', async () => {
    const refused = await connectStream(base, 'WatchExecutions', { cursor: 'not-a-cursor' });
    expect(refused.status).to.equal(200);
    const end = refused.end as { error: { code: string; message: string } };
    expect(end.error.code).to.equal('invalid_argument');
    expect(end.error.message).to.match(/cursor/);
    const timed = await connectStream(base, 'WatchExecutions', { jobId: '00000000-0000-4000-8000-000000000001' }, { headers: { 'connect-timeout-ms': '200' } });
    expect((timed.end as { error: { code: string } }).error.code).to.equal('deadline_exceeded');
  });

  it('serves gRPC-Web binary: GetJob answers one message and grpc-status 0; an unknown id grpc-status 5 (NOT_FOUND) with its message', async () => {
    const id = ((await connectUnary(base, 'CreateJob', job('web'))).body.job as { id: string }).id;
    const path = '/jobscheduler.v1.JobSchedulerService/GetJob';
    const ok = await grpcWeb(base, path, toBinary(GetJobRequestSchema, create(GetJobRequestSchema, { id })));
    expect(ok.contentType).to.equal('application/grpc-web+proto');
    expect(ok.trailers['grpc-status']).to.equal('0');
    expect(fromBinary(GetJobResponseSchema, ok.messages[0] as Buffer).job?.name).to.equal('web');
    const missing = await grpcWeb(base, path, toBinary(GetJobRequestSchema, create(GetJobRequestSchema, { id: '00000000-0000-4000-8000-000000000000' })));
    expect(missing.messages).to.have.length(0);
    expect(missing.trailers['grpc-status']).to.equal('5');
    expect(decodeURIComponent(missing.trailers['grpc-message'] as string)).to.match(/00000000-0000-4000-8000-000000000000/);
  });

  it('serves gRPC-Web text (base64) and gRPC-Web JSON', async () => {
    const id = ((await connectUnary(base, 'CreateJob', job('text'))).body.job as { id: string }).id;
    const path = `${base}/jobscheduler.v1.JobSchedulerService/GetJob`;
    const request = toBinary(GetJobRequestSchema, create(GetJobRequestSchema, { id }));
    const text = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/grpc-web-text' }, body: frame(0, request).toString('base64') });
    expect(text.headers.get('content-type')).to.equal('application/grpc-web-text+proto');
    // Each frame is base64 on its own; decode them one by one.
    const chunks = (await text.text()).match(/[A-Za-z0-9+/]+=*/g) ?? [];
    const decoded = frames(Buffer.concat(chunks.map((chunk) => Buffer.from(chunk, 'base64'))));
    expect(fromBinary(GetJobResponseSchema, decoded[0]?.data as Buffer).job?.name).to.equal('text');
    expect(decoded[1]?.data.toString()).to.include('grpc-status: 0');
    const json = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/grpc-web+json' }, body: frame(0, Buffer.from(JSON.stringify({ id }))) });
    const jsonFrames = frames(Buffer.from(await json.arrayBuffer()));
    expect((JSON.parse(jsonFrames[0]?.data.toString() ?? '{}') as { job: { name: string } }).job.name).to.equal('text');
  });

  it('answers the bidirectional Work stream and unknown methods with UNIMPLEMENTED, and an unknown content type with 415', async () => {
    const work = await grpcWeb(base, '/jobscheduler.v1.WorkerService/Work', new Uint8Array());
    expect(work.trailers['grpc-status']).to.equal('12');
    expect(decodeURIComponent(work.trailers['grpc-message'] as string)).to.match(/gRPC port/);
    const unknown = await connectUnary(base, 'NoSuchMethod', {});
    expect([unknown.status, unknown.body.code]).to.deep.equal([501, 'unimplemented']);
    const text = await fetch(`${base}/jobscheduler.v1.JobSchedulerService/GetJob`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).to.equal(415);
  });

  it('refuses requests naming a non-loopback Host while authentication is off (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const url = new URL(base);
    const code = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/', method: 'GET', headers: { host: 'attacker.example:8080' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(code).to.equal(421);
  });
});
