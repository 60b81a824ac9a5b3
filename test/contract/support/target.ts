import { setTimeout as sleep } from 'node:timers/promises';
import { createJobSchedulerClient, createQuotaClient, createWorkerClient, type JobSchedulerClient, type QuotaClient, createWebhookClient, type WebhookClient, type WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { ServiceProcess } from '../../support/service-process.js';
import { TestDatabase } from '../../support/test-database.js';

/**
 * The server the contract suite talks to. With CONTRACT_ADDRESS (set by `npm run test:contract
 * -- --address host:port`) it is whatever listens there, possibly holding other data; without it
 * the suite starts the service as its own process (node dist/src/main.js) on a fresh database,
 * which is how `npm test` runs it. Either way the suite sees nothing but the wire.
 */
export interface Target {
  readonly address: string;
  /** True when the suite started the server itself (its database holds only the suite's data). */
  readonly own: boolean;
  readonly scheduler: JobSchedulerClient;
  readonly worker: WorkerClient;
  readonly quotas: QuotaClient;
  readonly webhooks: WebhookClient;
}

export const ADDRESS_VARIABLE = 'CONTRACT_ADDRESS';

let shared: Promise<Target> | undefined;
const cleanups: (() => Promise<void>)[] = [];
/** Job types the suite created (see uniqueType()); their jobs are deleted at the end on a foreign server. */
export const createdTypes = new Set<string>();

/** The one target of this mocha run, started on first use. */
export function contractTarget(): Promise<Target> {
  shared ??= connect();
  return shared;
}

async function connect(): Promise<Target> {
  const given = process.env[ADDRESS_VARIABLE];
  if (given) return withClients(given, false);
  const database = await TestDatabase.create();
  cleanups.push(() => database.drop());
  const service = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_PORT: '0', SHUTDOWN_GRACE: '2s', LOG_LEVEL: 'info' });
  // Registered before waiting, so a failed start-up still leaves no process behind.
  const killOnExit = () => service.kill('SIGKILL');
  process.once('exit', killOnExit);
  cleanups.push(async () => {
    service.kill('SIGTERM');
    const exited = await Promise.race([service.exit().then(() => true), sleep(5_000).then(() => false)]);
    if (!exited) service.kill('SIGKILL');
    process.off('exit', killOnExit);
  });
  return withClients(await service.started(), true);
}

function withClients(address: string, own: boolean): Target {
  const target = { address, own, scheduler: createJobSchedulerClient(address), worker: createWorkerClient(address), quotas: createQuotaClient(address), webhooks: createWebhookClient(address) };
  cleanups.push(async () => {
    if (!own) await deleteCreatedJobs(target);
    target.scheduler.close();
    target.worker.close();
    target.quotas.close();
    target.webhooks.close();
  });
  return target;
}

/** Leaves a foreign server as it was found: every job of a type this run made up is deleted. */
async function deleteCreatedJobs(target: Target): Promise<void> {
  for (const type of createdTypes) {
    for (;;) {
      const { jobs } = await target.scheduler.listJobs({ filter: { type }, pageSize: 500 });
      const deleted = await Promise.all(jobs.map((job) => target.scheduler.deleteJob({ id: job.id, force: true }).then(() => true, () => false)));
      if (!deleted.includes(true)) break;
    }
  }
}

// A root-level hook: runs once after every test of the run, whichever files were loaded.
// On a foreign server the cleanup deletes every job the run made, over 10,000 of them (the filter
// limit's case), one DeleteJob each: minutes on a small machine, not seconds.
after(async function () {
  this.timeout(600_000);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
