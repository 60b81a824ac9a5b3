import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { JobSchedulerService } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import { QuotaService } from '../../../gen/jobscheduler/v1/quota_service_pb.js';
import { WebhookService } from '../../../gen/jobscheduler/v1/webhook_service_pb.js';
import { resolveCredentials, type ClientSecurity } from './credentials.js';
import { createServiceClient, type ServiceClient } from './typed-client.js';

export { bearerToken, bearerTokenInterceptor, clientSecurity, type ClientSecurity, type Pem, type TokenSource } from './credentials.js';

export type JobSchedulerClient = ServiceClient<typeof JobSchedulerService>;
export type WorkerClient = ServiceClient<typeof WorkerService>;
export type QuotaClient = ServiceClient<typeof QuotaService>;
export type WebhookClient = ServiceClient<typeof WebhookService>;

/**
 * A typed client of jobscheduler.v1.JobSchedulerService. The second argument is grpc-js channel
 * credentials, or `{ tls, token }` (ClientSecurity); absent, plaintext without a token.
 */
export function createJobSchedulerClient(address: string, security?: ChannelCredentials | ClientSecurity, options?: ChannelOptions): JobSchedulerClient {
  const resolved = resolveCredentials(address, security, options);
  return createServiceClient(JobSchedulerService, address, resolved.credentials, resolved.options);
}

/** A typed client of jobscheduler.v1.WorkerService, for workers that do not use the SDK. Security as for createJobSchedulerClient. */
export function createWorkerClient(address: string, security?: ChannelCredentials | ClientSecurity, options?: ChannelOptions): WorkerClient {
  const resolved = resolveCredentials(address, security, options);
  return createServiceClient(WorkerService, address, resolved.credentials, resolved.options);
}

/** A typed client of jobscheduler.v1.QuotaService (admin role). Security as for createJobSchedulerClient. */
export function createQuotaClient(address: string, security?: ChannelCredentials | ClientSecurity, options?: ChannelOptions): QuotaClient {
  const resolved = resolveCredentials(address, security, options);
  return createServiceClient(QuotaService, address, resolved.credentials, resolved.options);
}

/** A typed client of jobscheduler.v1.WebhookService (admin: subscriptions and the delivery log). Security as for createJobSchedulerClient. */
export function createWebhookClient(address: string, security?: ChannelCredentials | ClientSecurity, options?: ChannelOptions): WebhookClient {
  const resolved = resolveCredentials(address, security, options);
  return createServiceClient(WebhookService, address, resolved.credentials, resolved.options);
}
