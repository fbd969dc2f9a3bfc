import { InjectQueue, OnQueueFailed, Processor } from '@nestjs/bull';
import { Logger, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig, processAllJobs } from '@app/core';
import { WebhookDeliveryService } from '../services/webhook-delivery.service';
import { ALL_WEBHOOK_JOB_NAMES, WebhookJobDataMap, WebhookJobName, WebhookQueueName } from './webhook-jobs';

type Handlers = { [N in WebhookJobName]: (job: Job<WebhookJobDataMap[N]>) => Promise<void> };

/** Raised to make Bull schedule the next attempt with backoff; the attempt itself is already recorded. */
class RetryLater extends Error {}

/**
 * Thin: each job goes to its handler. A failed attempt that has attempts left throws, so
 * Bull retries it with exponential backoff. Only processes that run workers include it.
 */
@Processor(WebhookQueueName.WEBHOOKS)
export class WebhooksProcessor implements OnModuleInit {
  private readonly logger = new Logger(WebhooksProcessor.name);

  private readonly handlers: Handlers = {
    [WebhookJobName.DELIVER]: async (job) => {
      const outcome = await this.delivery.attempt(job.data.eventId);
      // Busy: Bull's backoff spaces out the next try; PostgreSQL's attempt count is untouched,
      // and should Bull run out of tries first, the sweep queues the still-pending event again.
      if (outcome === 'retry' || outcome === 'busy')
        throw new RetryLater(`Delivery of event ${job.data.eventId} will be retried`);
    },
  };

  constructor(
    private readonly delivery: WebhookDeliveryService,
    @InjectQueue(WebhookQueueName.WEBHOOKS) private readonly bullQueue: Queue<WebhookJobDataMap[WebhookJobName]>,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const missing = ALL_WEBHOOK_JOB_NAMES.filter((name) => typeof this.handlers[name] !== 'function');
    if (missing.length > 0) throw new Error(`No handler for webhook job(s): ${missing.join(', ')}`);
    // Registered here rather than with @Process so concurrency comes from the validated config;
    // through processAllJobs so that a SIGTERM in the first moments cannot crash the shutdown.
    processAllJobs(this.bullQueue, this.config.WEBHOOK_CONCURRENCY, (job) => this.handle(job), this.logger);
  }

  async handle(job: Job<WebhookJobDataMap[WebhookJobName]>): Promise<void> {
    const handler = this.handlers[job.name as WebhookJobName] as
      ((job: Job<WebhookJobDataMap[WebhookJobName]>) => Promise<void>) | undefined;
    if (!handler) throw new Error(`No handler for webhook job "${job.name}"`);
    await handler(job);
  }

  @OnQueueFailed()
  onFailed(job: Job, error: Error): void {
    // Failed attempts are already logged with their details by the delivery service.
    if (!(error instanceof RetryLater))
      this.logger.warn(`Webhook job ${job.id} (${job.name}) failed: ${error.message}`);
  }
}
