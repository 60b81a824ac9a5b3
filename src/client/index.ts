// The public surface of @jobscheduler/client: typed clients, the generated messages they speak,
// the worker SDK, and helpers that build schedules, timestamps, durations and payloads. Only
// @grpc/grpc-js and @bufbuild/protobuf are needed at run time (packages/client ships this).
export {
  bearerToken,
  bearerTokenInterceptor,
  clientSecurity,
  createJobSchedulerClient,
  createQuotaClient,
  createWebhookClient,
  createWorkerClient,
  type ClientSecurity,
  type JobSchedulerClient,
  type Pem,
  type QuotaClient,
  type TokenSource,
  type WebhookClient,
  type WorkerClient,
} from '../adapters/grpc/client/index.js';
export { createServiceClient, type BidiStream, type CallSettings, type ServiceClient } from '../adapters/grpc/client/typed-client.js';
export * from '../gen/jobscheduler/v1/job_pb.js';
export * from '../gen/jobscheduler/v1/schedule_pb.js';
export * from '../gen/jobscheduler/v1/execution_pb.js';
export * from '../gen/jobscheduler/v1/stats_pb.js';
export * from '../gen/jobscheduler/v1/job_scheduler_service_pb.js';
export * from '../gen/jobscheduler/v1/worker_service_pb.js';
export * from '../gen/jobscheduler/v1/quota_service_pb.js';
export * from '../gen/jobscheduler/v1/webhook_service_pb.js';
export * from '../sdk/index.js';
export { afterUpstream, at, cron, every, now, type ScheduleInit } from './schedules.js';
export { dateOf, duration, millisecondsOf, parseDuration, timestamp, toDate, type DurationInput, type Instant } from './time.js';
export { json } from './json.js';
export { enumLabel, enumLabels, enumValue } from './labels.js';
export type { JsonObject, JsonValue } from '@bufbuild/protobuf';
export type { Duration, Timestamp } from '@bufbuild/protobuf/wkt';
