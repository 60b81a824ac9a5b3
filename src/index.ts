// The package's public surface: typed clients, the generated messages they speak, and the worker SDK.
export {
  bearerToken,
  bearerTokenInterceptor,
  clientSecurity,
  createJobSchedulerClient,
  createWorkerClient,
  type ClientSecurity,
  type JobSchedulerClient,
  type Pem,
  type TokenSource,
  type WorkerClient,
} from './adapters/grpc/client/index.js';
export { createServiceClient, type CallSettings, type ServiceClient } from './adapters/grpc/client/typed-client.js';
export * from './gen/jobscheduler/v1/job_pb.js';
export * from './gen/jobscheduler/v1/schedule_pb.js';
export * from './gen/jobscheduler/v1/execution_pb.js';
export * from './gen/jobscheduler/v1/stats_pb.js';
export * from './gen/jobscheduler/v1/job_scheduler_service_pb.js';
export * from './gen/jobscheduler/v1/worker_service_pb.js';
export * from './sdk/index.js';
