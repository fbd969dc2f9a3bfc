import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobOptions, JobStatus, Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig, queryRows, withTimeout } from '@app/core';
import { WebhookDeliveryStatus } from '../webhook.types';
import { deliveryJobId, WebhookJobDataMap, WebhookJobName, WebhookQueueName } from '../jobs/webhook-jobs';

/** How long a caller waits for Redis before it moves on and leaves the event to the sweep. */
const ENQUEUE_TIMEOUT_MS = 2000;
/** Events handled per dispatch or sweep round; the next round takes the rest. */
const ROUND_LIMIT = 1000;
const LIVE_JOB_STATES: readonly (JobStatus | 'stuck')[] = ['waiting', 'active', 'delayed', 'paused'];

type WebhookQueue = Queue<WebhookJobDataMap[WebhookJobName]>;

/**
 * The producer side of the webhooks queue. An event row is committed before any job exists,
 * so Redis being down only delays delivery: `dispatchPending` (after commit) and the sweep
 * (a periodic task of each process, see WebhookSweepService) queue every pending event that has no live job. Job ids are per event, so
 * queueing twice adds nothing.
 */
@Injectable()
export class WebhookQueueService {
  private readonly logger = new Logger(WebhookQueueService.name);

  constructor(
    @InjectQueue(WebhookQueueName.WEBHOOKS) private readonly queue: WebhookQueue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

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
    const orphans: string[] = [];
    for (const { id } of stale) {
      const job = await this.queue.getJob(deliveryJobId(id));
      if (job && LIVE_JOB_STATES.includes(await job.getState())) continue;
      // A finished job keeps its id; it must go before the same id can be queued again.
      if (job) await job.remove();
      orphans.push(id);
    }
    const requeued = await this.addJobs(orphans);
    if (requeued > 0) this.logger.warn(`Webhook sweep re-queued ${requeued} pending events`);
    return fresh + requeued;
  }

  private async addJobs(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const options: JobOptions = {
      // PostgreSQL counts the attempts (see WebhookDeliveryService); Bull only spaces them out.
      attempts: this.config.WEBHOOK_MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    };
    try {
      await withTimeout(
        this.queue.addBulk(
          eventIds.map((eventId) => ({
            name: WebhookJobName.DELIVER,
            data: { eventId },
            opts: { ...options, jobId: deliveryJobId(eventId) },
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
        'Queueing webhook deliveries',
      );
    } catch (error) {
      // The events are committed and stay pending with no enqueued_at: the sweep queues them.
      this.logger.warn(
        `Could not queue ${eventIds.length} webhook events, leaving them to the sweep: ${String(error)}`,
      );
      return 0;
    }
    await this.dataSource.query(
      `UPDATE webhook_event SET enqueued_at = now() WHERE id = ANY($1::uuid[]) AND status = $2`,
      [eventIds, WebhookDeliveryStatus.PENDING],
    );
    return eventIds.length;
  }
}
