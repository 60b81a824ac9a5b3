import type { JsonObject } from '@bufbuild/protobuf';
import type { Execution } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { createWorker, type Worker, type WorkerOptions } from '../../../src/sdk/index.js';
import type { LogLevel } from '../../../src/sdk/logger.js';
import type { TestServer } from '../../support/test-server.js';

let counter = 0;

/** A job type no other test uses, so workers of different tests never meet. */
export function uniqueType(label: string): string {
  counter += 1;
  return `sdk.${label}.${process.pid}.${counter}`;
}

/** Creates an immediate one-shot job and has the dispatcher queue its execution at once. */
export async function createOnceJob(server: TestServer, type: string, payload: JsonObject = {}, retryPolicy?: { maxRetries: number }): Promise<string> {
  const { job } = await server.scheduler.createJob({ job: { name: type, type, payload, schedule: { kind: { case: 'once', value: {} } }, ...(retryPolicy ? { retryPolicy } : {}) } });
  await server.useCases.dispatch.runUntilIdle();
  return job!.id;
}

export async function executionsOf(server: TestServer, jobId: string): Promise<Execution[]> {
  const { executions } = await server.scheduler.listExecutions({ jobId });
  return [...executions].sort((a, b) => a.attempt - b.attempt);
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A worker on the test server whose log is kept for assertions; stopped by stopAll(). */
export class Workers {
  readonly log: LogEntry[] = [];
  private readonly started: Worker[] = [];

  constructor(private readonly server: TestServer) {}

  start(options: Omit<WorkerOptions, 'address' | 'logger'>): Worker {
    const logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
      if (process.env.TEST_LOG) console.log(`[worker] ${level}: ${message}`, fields ?? '');
      this.log.push({ level, message, fields });
    };
    const worker = createWorker({ address: this.server.address, logger, ...options });
    this.started.push(worker);
    return worker;
  }

  errors(): LogEntry[] {
    return this.log.filter((entry) => entry.level === 'error');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((worker) => worker.stop({ timeoutMs: 0 })));
  }
}
