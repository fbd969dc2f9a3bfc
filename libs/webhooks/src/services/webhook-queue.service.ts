import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig, OutboxDispatcher, queryRows } from '@app/core';
import { WebhookDeliveryStatus } from '../webhook.types';
import { deliveryJobId, WebhookJobDataMap, WebhookJobName, WebhookQueueName } from '../jobs/webhook-jobs';

/** Events handled per dispatch or sweep round; the next round takes the rest. */
const ROUND_LIMIT = 1000;

type WebhookQueue = Queue<WebhookJobDataMap[WebhookJobName]>;

/**
 * The producer side of the webhooks queue: `webhook_event` is the outbox (one job per event,
 * its id derived from the event's), the Bull side is the shared OutboxDispatcher. An event row is committed before any job exists,
 * so Redis being down only delays delivery: `dispatchPending` (after commit) and the sweep
 * (a periodic task of each process, see WebhookSweepService) queue every pending event that has no live job. Job ids are per event, so
 * queueing twice adds nothing.
 */
@Injectable()
export class WebhookQueueService {
  private readonly logger = new Logger(WebhookQueueService.name);
  private readonly outbox: OutboxDispatcher<WebhookJobDataMap[WebhookJobName]>;

  constructor(
    @InjectQueue(WebhookQueueName.WEBHOOKS) queue: WebhookQueue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.outbox = new OutboxDispatcher(queue, {
      jobName: WebhookJobName.DELIVER,
      // PostgreSQL counts the attempts (see WebhookDeliveryService); Bull only spaces them out.
      jobOptions: () => ({
        attempts: this.config.WEBHOOK_MAX_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
      }),
      noun: 'webhook events',
      sweep: 'the sweep',
      logger: this.logger,
    });
  }

  /** Queues these committed events; never throws. */
  async dispatch(eventIds: readonly string[]): Promise<void> {
    await this.addJobs(eventIds);
  }

  /** Queues every pending event that was never queued (e.g. published inside a caller's transaction). */
  async dispatchPending(): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM webhook_event WHERE status = $1 AND enqueued_at IS NULL ORDER BY created_at LIMIT $2`,
      [WebhookDeliveryStatus.PENDING, ROUND_LIMIT],
    );
    return this.addJobs(rows.map((row) => row.id));
  }

  /**
   * Fails attempts abandoned by a dead worker, queues events never queued, and re-queues
   * pending events whose job is gone (Redis flushed, job failed for good while the event
   * still has attempts left). Returns how many events it queued.
   */
  async sweep(): Promise<number> {
    await this.dataSource.query(
      `UPDATE webhook_delivery SET status = $1, error = 'abandoned: the worker stopped during the attempt'
        WHERE status = $2 AND created_at < now() - make_interval(secs => $3::double precision / 1000)`,
      [WebhookDeliveryStatus.FAILED, WebhookDeliveryStatus.PENDING, this.config.PROCESSING_LEASE_MS],
    );
    const fresh = await this.dispatchPending();
    const stale = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM webhook_event
        WHERE status = $1 AND enqueued_at < now() - make_interval(secs => $2::double precision / 1000)
        ORDER BY enqueued_at LIMIT $3`,
      [WebhookDeliveryStatus.PENDING, this.config.RECOVERY_STALE_AFTER_MS, ROUND_LIMIT],
    );
    const orphans = (await this.outbox.withoutLiveJob(stale, ({ id }) => deliveryJobId(id))).map(({ id }) => id);
    // A finished job keeps its id; it must go before the same id can be queued again.
    await this.outbox.releaseIds(orphans.map(deliveryJobId));
    const requeued = await this.addJobs(orphans);
    if (requeued > 0) this.logger.warn(`Webhook sweep re-queued ${requeued} pending events`);
    return fresh + requeued;
  }

  private async addJobs(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    // Not taken: the events stay pending with no enqueued_at, and the sweep queues them.
    if (!(await this.outbox.add(eventIds.map((eventId) => ({ jobId: deliveryJobId(eventId), data: { eventId } })))))
      return 0;
    await this.dataSource.query(
      `UPDATE webhook_event SET enqueued_at = now() WHERE id = ANY($1::uuid[]) AND status = $2`,
      [eventIds, WebhookDeliveryStatus.PENDING],
    );
    return eventIds.length;
  }
}
