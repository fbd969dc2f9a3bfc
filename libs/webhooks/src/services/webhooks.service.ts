import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows, runInTransaction } from '@app/core';
import { WebhookEventInput } from '../webhook.types';
import { WebhookQueueService } from './webhook-queue.service';

/**
 * The module's facade for other modules: publish an event to every endpoint of an org that
 * subscribed to its type. Delivery is asynchronous, signed, retried and recorded.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queue: WebhookQueueService,
  ) {}

  /** Stores the event in its own transaction, then queues its deliveries. */
  publish(orgId: string, event: WebhookEventInput): Promise<void>;
  /**
   * Stores the event with the caller's transaction, so it exists exactly when the caller's
   * change commits. Nothing is queued: call `dispatchPending()` after the commit; if that
   * is skipped or Redis is down, the sweep queues the event within about
   * RECOVERY_SWEEP_INTERVAL_MS.
   */
  publish(manager: EntityManager, orgId: string, event: WebhookEventInput): Promise<void>;
  async publish(...args: [string, WebhookEventInput] | [EntityManager, string, WebhookEventInput]): Promise<void> {
    if (args.length === 3) {
      await this.insertEvents(...args);
      return;
    }
    const [orgId, event] = args;
    const eventIds = await runInTransaction(this.dataSource, (manager) => this.insertEvents(manager, orgId, event));
    await this.queue.dispatch(eventIds);
  }

  /** Queues every stored event that was never queued. Never throws; returns how many it queued. */
  dispatchPending(): Promise<number> {
    return this.queue.dispatchPending();
  }

  /** One event row per subscribed endpoint: its id is the `Webhook-Id` that endpoint sees. */
  private async insertEvents(manager: EntityManager, orgId: string, event: WebhookEventInput): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO webhook_event (org_id, endpoint_id, type, data)
       SELECT org_id, id, $2::varchar, $3::jsonb FROM webhook_endpoint WHERE org_id = $1 AND $2::varchar = ANY(events)
       RETURNING id`,
      [orgId, event.type, JSON.stringify(event.data)],
    );
    return rows.map((row) => row.id);
  }
}
