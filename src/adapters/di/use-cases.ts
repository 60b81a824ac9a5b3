import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../application/engine/engine-settings.js';
import { DispatchDueJobs } from '../../application/engine/dispatch-due-jobs.js';
import { PruneHistory } from '../../application/engine/prune-history.js';
import { RescueExpiredExecutions } from '../../application/engine/rescue-expired.js';
import { SchedulerEngine } from '../../application/engine/scheduler-engine.js';
import { CancelExecution } from '../../application/jobs/cancel-execution.js';
import { ControlJob } from '../../application/jobs/control-job.js';
import { BulkControl } from '../../application/jobs/bulk-control.js';
import { CreateJobs } from '../../application/jobs/create-jobs.js';
import { DeleteJob } from '../../application/jobs/delete-job.js';
import { UpdateJob } from '../../application/jobs/update-job.js';
import type { Clock } from '../../application/ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../../application/ports/engine-observer.js';
import type { IdGenerator, Random } from '../../application/ports/ids.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Store } from '../../application/ports/store.js';
import { NO_TRACING, type Tracing } from '../../application/ports/tracing.js';
import type { WakeUps } from '../../application/ports/wake-ups.js';
import { JobQueries } from '../../application/queries/job-queries.js';
import { MetricsHistory } from '../../application/queries/metrics-history.js';
import { SchedulerMetrics } from '../../application/queries/scheduler-metrics.js';
import { WatchExecutions } from '../../application/queries/watch-executions.js';
import { PreviewSchedule } from '../../application/schedules/preview-schedule.js';
import { AcquireExecutions } from '../../application/worker/acquire-executions.js';
import { Heartbeat } from '../../application/worker/heartbeat.js';
import { ReportOutcomes } from '../../application/worker/report-outcomes.js';
import type { Config } from '../config/config.js';
import { WorkSessions } from '../../application/worker/work-sessions.js';
import { ManageQuotas } from '../../application/quotas/manage-quotas.js';
import { QuotaTypes } from '../../application/quotas/quota-types.js';
import { DeliverWebhooks } from '../../application/webhooks/deliver-webhooks.js';
import { WebhookSubscriptions } from '../../application/webhooks/webhook-subscriptions.js';
import type { WebhookSender } from '../../application/ports/webhook-sender.js';
import { newWebhookSecret } from '../webhooks/signature.js';

export interface CorePorts {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  random: Random;
  wakeUps: WakeUps;
  logger: Logger;
  observer?: EngineObserver;
  tracing?: Tracing;
  /** The HTTP side of webhook delivery (adapters/webhooks); absent: built from the configuration. */
  webhookSender?: WebhookSender;
}

/** Every use case of one replica, built from the ports. Plain constructors: no container in the core. */
export function buildUseCases(ports: CorePorts, config: Pick<Config, 'engine' | 'limits' | 'webhooks'>) {
  const { store, clock, ids, random, wakeUps, logger } = ports;
  const observer = ports.observer ?? NO_OBSERVER;
  const tracing = ports.tracing ?? NO_TRACING;
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, ...config.engine };
  // A job due before the dispatcher's next look (its sleep, and its lookahead) wakes it now.
  const soonMs = settings.pollIntervalMs + settings.dispatchLookaheadMs;
  const quotaTypes = new QuotaTypes(store, wakeUps, logger);
  const subscriptions = new WebhookSubscriptions(
    store,
    clock,
    ids,
    newWebhookSecret,
    wakeUps,
    { allowHttp: config.webhooks.allowHttp, refreshIntervalMs: config.webhooks.scanIntervalMs, maxSubscriptions: config.webhooks.maxSubscriptions },
    logger,
  );
  // Every path that ends attempts reads this replica's subscriptions from here (the outbox).
  const deps = { ids, random, webhooks: subscriptions.router };
  const heartbeat = new Heartbeat(store, clock);
  const sessions = new WorkSessions(
    store,
    clock,
    deps,
    wakeUps,
    heartbeat,
    { minLeaseMs: settings.minLeaseMs, maxLeaseMs: settings.maxLeaseMs, defaultLeaseMs: settings.defaultLeaseMs, pollIntervalMs: settings.pollIntervalMs },
    logger,
    observer,
    tracing,
    quotaTypes,
  );
  const dispatch = new DispatchDueJobs(store, clock, ids, wakeUps, settings, logger, observer, sessions, tracing);
  const rescue = new RescueExpiredExecutions(store, clock, deps, wakeUps, settings, logger, observer);
  const queries = new JobQueries(store, clock);
  const prune = new PruneHistory(
    store,
    clock,
    { keepPerJob: settings.retentionKeepPerJob, keepForMs: settings.retentionKeepForMs, eventsKeepForMs: settings.eventsKeepForMs, batchSize: 1_000, maxBatches: 100 },
    logger,
  );
  const control = new ControlJob(store, clock, ids, wakeUps, observer, tracing, subscriptions.router);
  return {
    settings,
    quotaTypes,
    quotas: new ManageQuotas(store, clock, wakeUps),
    dispatch,
    rescue,
    prune,
    engine: new SchedulerEngine(dispatch, rescue, prune, store, clock, wakeUps, settings, logger),
    jobs: { create: new CreateJobs(store, clock, ids, wakeUps, observer, sessions, soonMs, tracing), control,
      update: new UpdateJob(store, clock, wakeUps, config.limits, soonMs),
      delete: new DeleteJob(store, clock, wakeUps),
      bulk: new BulkControl(store, control), queries, limits: config.limits },
    executions: {
      queries,
      cancelExecution: new CancelExecution(store, clock, deps, wakeUps, observer),
      preview: new PreviewSchedule(clock),
      metrics: new SchedulerMetrics(store, clock),
      history: new MetricsHistory(store, clock),
      watch: new WatchExecutions(store, clock, wakeUps, { pollIntervalMs: settings.watchPollIntervalMs, batchSize: 500 }),
    },
    worker: { acquire: new AcquireExecutions(store, clock, ids, wakeUps, settings, observer, quotaTypes),
      heartbeat,
      report: new ReportOutcomes(store, clock, deps, wakeUps, observer, quotaTypes),
      sessions,
      defaultLeaseMs: settings.defaultLeaseMs,
    },
    webhooks: {
      subscriptions,
      delivery: ports.webhookSender
        ? new DeliverWebhooks(store, clock, ports.webhookSender, subscriptions, {
            pollIntervalMs: config.webhooks.pollIntervalMs,
            timeoutMs: config.webhooks.timeoutMs,
            concurrency: config.webhooks.concurrency,
            perSubscription: config.webhooks.perSubscription,
            retry: { maxAttempts: config.webhooks.maxAttempts, initialMs: config.webhooks.retryInitialMs, maxMs: config.webhooks.retryMaxMs },
            keepForMs: config.webhooks.keepForMs,
            scanIntervalMs: config.webhooks.scanIntervalMs,
          }, logger, wakeUps, observer)
        : undefined,
    },
  };
}

export type UseCases = ReturnType<typeof buildUseCases>;
