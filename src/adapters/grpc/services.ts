import type { DescFile, DescService } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { file_jobscheduler_v1_job_scheduler_service, JobSchedulerService } from '../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { file_jobscheduler_v1_worker_service, WorkerService } from '../../gen/jobscheduler/v1/worker_service_pb.js';
import { file_jobscheduler_v1_quota_service, QuotaService } from '../../gen/jobscheduler/v1/quota_service_pb.js';
import { file_jobscheduler_v1_webhook_service, WebhookService } from '../../gen/jobscheduler/v1/webhook_service_pb.js';
import type { UseCases } from '../di/use-cases.js';
import type { ServiceRegistration } from './grpc-server.js';
import { executionHandlers } from './handlers/execution-handlers.js';
import { jobAdminHandlers } from './handlers/job-admin-handlers.js';
import { jobHandlers } from './handlers/job-handlers.js';
import { observeHandlers } from './handlers/observe-handlers.js';
import { occurrenceHandlers } from './handlers/occurrence-handlers.js';
import { workerHandlers } from './handlers/worker-handlers.js';
import { quotaHandlers } from './handlers/quota-handlers.js';
import { webhookHandlers } from './handlers/webhook-handlers.js';
import { grpcServerDefinition } from './service-definition.js';
import { bindService, type BindingOptions } from './service-binding.js';

/** The generated files our services live in; reflection serves them with their dependencies. */
export const serviceFiles: readonly DescFile[] = [file_jobscheduler_v1_job_scheduler_service, file_jobscheduler_v1_worker_service, file_jobscheduler_v1_quota_service, file_jobscheduler_v1_webhook_service];

/** Fully-qualified names, as health checks and reflection know them. */
export const serviceNames: readonly string[] = [JobSchedulerService.typeName, WorkerService.typeName, QuotaService.typeName, WebhookService.typeName];

/** A service with its handlers bound: the guard, the error table, the log and the audit around each. */
export interface BoundService {
  service: DescService;
  implementation: UntypedServiceImplementation;
}

/**
 * Every service with its handlers, bound once: the gRPC port and the HTTP port
 * (src/adapters/http) serve these same implementations.
 */
export function boundServices(useCases: UseCases, options: BindingOptions): BoundService[] {
  const scheduler = { ...jobHandlers(useCases.jobs), ...jobAdminHandlers(useCases.jobs), ...executionHandlers(useCases.executions), ...observeHandlers(useCases.executions), ...occurrenceHandlers(useCases.executions.queries) };
  return [
    { service: JobSchedulerService, implementation: bindService(JobSchedulerService, scheduler, options) },
    { service: WorkerService, implementation: bindService(WorkerService, workerHandlers(useCases.worker), options) },
    { service: QuotaService, implementation: bindService(QuotaService, quotaHandlers(useCases.quotas), options) },
    { service: WebhookService, implementation: bindService(WebhookService, webhookHandlers(useCases.webhooks.subscriptions), options) },
  ];
}

/** The bound services as the gRPC server registers them. */
export function grpcServices(bound: readonly BoundService[]): ServiceRegistration[] {
  return bound.map(({ service, implementation }) => ({ definition: grpcServerDefinition(service), implementation }));
}
