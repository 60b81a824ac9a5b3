import { create as createMessage, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../src/adapters/grpc/client/index.js';
import type { JobSchema } from '../../src/gen/jobscheduler/v1/job_pb.js';
import { Health } from '../../src/gen/health/v1/health_pb.js';
import { JobSchedulerService } from '../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { IntervalUnit, type ScheduleSchema } from '../../src/gen/jobscheduler/v1/schedule_pb.js';
import type { JobSchedule, LoadCommand, LoadReport, RpcName } from '../support/protocol.js';
import { openLoop } from '../support/open-loop.js';
import { epochMs, sleep } from '../support/time.js';

/**
 * The benchmark's load generator: its own process, calling the service over gRPC as a client
 * service would. Bulk creation (BatchCreateJobs, a few calls in flight), a fixed cadence of
 * CreateJob calls that never waits for earlier ones, or a steady rate of one RPC.
 */
const clients = new Map<string, JobSchedulerClient>();

function clientFor(address: string): JobSchedulerClient {
  let client = clients.get(address);
  if (!client) clients.set(address, (client = createJobSchedulerClient(address)));
  return client;
}

function send(report: LoadReport): void {
  process.send?.(report);
}

function job(type: string, schedule: JobSchedule, index: number, payload: Record<string, number | string> = {}): MessageInitShape<typeof JobSchema> {
  const init: MessageInitShape<typeof ScheduleSchema> =
    schedule.kind === 'now'
      ? { kind: { case: 'once', value: {} } }
      : { kind: { case: 'interval', value: { every: schedule.everyHours, unit: IntervalUnit.HOURS, anchor: timestampFromMs(schedule.anchorMs + index * schedule.staggerMs) } } };
  return { name: `bench ${index}`, type, payload, schedule: init };
}

async function create(command: Extract<LoadCommand, { kind: 'create' }>): Promise<void> {
  const client = clientFor(command.address);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < command.count) {
      const first = next;
      const size = Math.min(command.batchSize, command.count - first);
      next += size;
      const payload: Record<string, string> = command.payloadBytes ? { data: 'x'.repeat(command.payloadBytes) } : {};
      const requests = Array.from({ length: size }, (_, i) => ({ job: job(command.type, command.schedule, first + i, payload) }));
      await client.batchCreateJobs({ requests }, { deadline: 120_000 });
    }
  };
  await Promise.all(Array.from({ length: command.inFlight }, lane));
  send({ kind: 'created', ms: performance.now() - started, count: command.count });
}

/** CreateJob every intervalMs on a fixed timetable; each call's payload carries its send time. */
async function cadence(command: Extract<LoadCommand, { kind: 'cadence' }>): Promise<void> {
  const client = clientFor(command.address);
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  let maxSendDelayMs = 0;
  const calls: Promise<void>[] = [];
  const origin = performance.now();
  for (let i = 0; i < command.count; i += 1) {
    const due = origin + i * command.intervalMs;
    await sleep(due - performance.now());
    maxSendDelayMs = Math.max(maxSendDelayMs, performance.now() - due);
    const sentAt = epochMs();
    const callStarted = performance.now();
    calls.push(
      client.createJob({ job: job(command.type, { kind: 'now' }, i, { sentAt }) }, { deadline: 30_000 }).then(
        () => void latencies.push(performance.now() - callStarted),
        (error: unknown) => {
          errors += 1;
          firstError ||= String(error);
        },
      ),
    );
  }
  await Promise.all(calls);
  send({ kind: 'done', latencies, errors, firstError, maxSendDelayMs, seconds: (performance.now() - origin) / 1000 });
}

/** One RPC at a steady rate (open loop: calls leave on the timetable whether or not earlier ones answered). */
async function steady(command: Extract<LoadCommand, { kind: 'steady' }>): Promise<void> {
  const call = caller(command.address, command.rpc, command.ids, command.type);
  send({ kind: 'done', ...(await openLoop(command.ratePerSecond, command.seconds, call)) });
}

/**
 * Calls one RPC with a request built per call; the response is not decoded (the bytes are
 * enough to know it arrived), so the load generator, which shares the machine with the service,
 * spends as little CPU as it can on the measurement.
 */
function caller(address: string, rpc: RpcName, ids: string[], type: string): (i: number) => Promise<unknown> {
  const id = (i: number) => ids[i % ids.length] ?? '';
  if (rpc === 'check') {
    const check = rawUnary(address, `/${Health.typeName}/${Health.method.check.name}`, (request: MessageInitShape<typeof Health.method.check.input>) =>
      Buffer.from(toBinary(Health.method.check.input, createMessage(Health.method.check.input, request))),
    );
    return () => check({});
  }
  const method = JobSchedulerService.method[rpc];
  const call = rawUnary(address, `/${JobSchedulerService.typeName}/${method.name}`, (request: MessageInitShape<typeof method.input>) =>
    Buffer.from(toBinary(method.input, createMessage(method.input, request))),
  );
  switch (rpc) {
    case 'createJob':
      // A recurring job due in a day: created and stored, not fired during the measurement.
      return (i) => call({ job: job(type, { kind: 'interval', everyHours: 24, anchorMs: Date.now() + 86_400_000, staggerMs: 0 }, i) });
    case 'getJob':
      return (i) => call({ id: id(i) });
    case 'listExecutions':
      return (i) => call({ jobId: id(i), pageSize: 50 });
    case 'getJobStats':
      return (i) => call({ jobId: id(i) });
  }
}

const rawClients = new Map<string, grpc.Client>();

function rawUnary<Request>(address: string, path: string, serialize: (request: Request) => Buffer): (request: Request) => Promise<Buffer> {
  let client = rawClients.get(address);
  if (!client) rawClients.set(address, (client = new grpc.Client(address, grpc.credentials.createInsecure())));
  const raw = client;
  return (request) =>
    new Promise((resolve, reject) => {
      raw.makeUnaryRequest(path, serialize, (bytes: Buffer) => bytes, request, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response as Buffer)));
    });
}

process.on('message', (command: LoadCommand) => {
  const run = command.kind === 'create' ? create(command) : command.kind === 'cadence' ? cadence(command) : steady(command);
  run.catch((error: unknown) => send({ kind: 'failed', error: (error as Error).stack ?? String(error) }));
});
process.on('disconnect', () => {
  for (const client of clients.values()) client.close();
  for (const client of rawClients.values()) client.close();
});

send({ kind: 'ready' });
