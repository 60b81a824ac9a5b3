import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { JobSchedulerService } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import { createServiceClient, type ServiceClient } from './typed-client.js';

export type JobSchedulerClient = ServiceClient<typeof JobSchedulerService>;
export type WorkerClient = ServiceClient<typeof WorkerService>;

/** A typed client of jobscheduler.v1.JobSchedulerService. Credentials default to plaintext. */
export function createJobSchedulerClient(address: string, credentials?: ChannelCredentials, options?: ChannelOptions): JobSchedulerClient {
  return createServiceClient(JobSchedulerService, address, credentials, options);
}

/** A typed client of jobscheduler.v1.WorkerService, for workers that do not use the SDK. */
export function createWorkerClient(address: string, credentials?: ChannelCredentials, options?: ChannelOptions): WorkerClient {
  return createServiceClient(WorkerService, address, credentials, options);
}
