import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, queryRows, runInTransaction } from '@app/core';
import { WebhookDeliveryStatus, WebhookEventType } from '../webhook.types';
import { sendWebhook } from './webhook-sender';
import { signWebhook } from './webhook-signature';

/**
 * What became of one attempt: `retry` asks the queue to try again later (with backoff);
 * `busy`: the endpoint had WEBHOOK_ENDPOINT_CONCURRENCY deliveries in flight for as long as
 * the job waited, so none was made (no attempt used) — also later, with backoff.
 */
export type AttemptOutcome = 'done' | 'retry' | 'busy';

/** How often a job waiting for a busy endpoint asks again. */
const BUSY_POLL_MS = 100;

/** A pending delivery row older than the attempt deadline plus this is a dead worker's, not in flight. */
const IN_FLIGHT_SLACK_MS = 5000;

interface ClaimedEvent {
  id: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
  created_at: Date;
  attempts: number;
  endpoint_id: string;
  url: string;
  secret: string;
}

/**
 * One delivery attempt of one event. PostgreSQL counts the attempts, so the number survives
 * a lost job, and a job that runs for an event already delivered, failed for good or
 * deleted with its endpoint does nothing (Bull is at-least-once).
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async attempt(eventId: string): Promise<AttemptOutcome> {
    const maxAttempts = this.config.WEBHOOK_MAX_ATTEMPTS;
    // A busy endpoint frees a slot within WEBHOOK_TIMEOUT_MS (every attempt has that deadline),
    // so the job waits that long for one before it leaves the event to a later try.
    const deadline = Date.now() + this.config.WEBHOOK_TIMEOUT_MS;
    let claimed = await this.claim(eventId);
    while (claimed === 'busy' && Date.now() < deadline) {
      await delay(BUSY_POLL_MS);
      claimed = await this.claim(eventId);
    }
    if (claimed === 'busy') return 'busy';
    const event = claimed;
    if (!event) {
      // Every attempt was used up (the last one by a worker that died): the event failed.
      await this.dataSource.query(
        `UPDATE webhook_event SET status = $1 WHERE id = $2 AND status = $3 AND attempts >= $4`,
        [WebhookDeliveryStatus.FAILED, eventId, WebhookDeliveryStatus.PENDING, maxAttempts],
      );
      return 'done';
    }
    const attempt = event.attempts;

    // Built from the stored row, so every attempt sends the same body.
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      createdAt: event.created_at.toISOString(),
      data: event.data,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const started = Date.now();
    const response = await sendWebhook({
      url: event.url,
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'contact-enrichment-webhooks/1',
        'Webhook-Id': event.id,
        'Webhook-Timestamp': String(timestamp),
        'Webhook-Signature': signWebhook(event.secret, event.id, timestamp, body),
      },
      timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
      allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE_URLS,
    });
    const durationMs = Date.now() - started;
    const responseStatus = 'status' in response ? response.status : null;
    const succeeded = responseStatus !== null && responseStatus >= 200 && responseStatus < 300;
    const error = 'error' in response ? response.error : succeeded ? null : `HTTP ${responseStatus}`;
    const final = succeeded || attempt >= maxAttempts;

    await runInTransaction(this.dataSource, async (manager) => {
      await manager.query(
        `UPDATE webhook_delivery SET status = $3, response_status = $4, error = $5, duration_ms = $6
          WHERE event_id = $1 AND attempt = $2`,
        [
          event.id,
          attempt,
          succeeded ? WebhookDeliveryStatus.SUCCEEDED : WebhookDeliveryStatus.FAILED,
          responseStatus,
          error,
          durationMs,
        ],
      );
      if (final) {
        await manager.query(`UPDATE webhook_event SET status = $2 WHERE id = $1 AND status = $3`, [
          event.id,
          succeeded ? WebhookDeliveryStatus.SUCCEEDED : WebhookDeliveryStatus.FAILED,
          WebhookDeliveryStatus.PENDING,
        ]);
      }
    });

    const context = {
      eventId: event.id,
      endpointId: event.endpoint_id,
      eventType: event.type,
      attempt,
      maxAttempts,
      responseStatus,
      durationMs,
      error,
    };
    if (succeeded) this.logger.log(context, 'Webhook delivered');
    else if (final) this.logger.error(context, 'Webhook delivery failed for good');
    else this.logger.warn(context, 'Webhook delivery attempt failed; will retry');
    return final ? 'done' : 'retry';
  }

  /** Takes an attempt of the event, unless its endpoint is at WEBHOOK_ENDPOINT_CONCURRENCY. */
  private claim(eventId: string): Promise<ClaimedEvent | undefined | 'busy'> {
    const maxAttempts = this.config.WEBHOOK_MAX_ATTEMPTS;
    return runInTransaction(this.dataSource, async (manager) => {
      // The endpoint row is locked, so the in-flight count and the claim below are one step
      // for every process: concurrent jobs cannot all see a free slot.
      const [endpoint] = await queryRows<{ id: string }>(
        manager,
        `SELECT p.id FROM webhook_endpoint p JOIN webhook_event e ON e.endpoint_id = p.id
          WHERE e.id = $1 AND e.status = $2 FOR UPDATE OF p`,
        [eventId, WebhookDeliveryStatus.PENDING],
      );
      if (endpoint) {
        const [{ inFlight }] = await queryRows<{ inFlight: number }>(
          manager,
          `SELECT count(*)::int AS "inFlight" FROM webhook_delivery
            WHERE endpoint_id = $1 AND status = $2
              AND created_at > now() - make_interval(secs => $3::double precision / 1000)`,
          [endpoint.id, WebhookDeliveryStatus.PENDING, this.config.WEBHOOK_TIMEOUT_MS + IN_FLIGHT_SLACK_MS],
        );
        if (inFlight >= this.config.WEBHOOK_ENDPOINT_CONCURRENCY) return 'busy' as const;
      }
      const [row] = await queryRows<ClaimedEvent>(
        manager,
        `UPDATE webhook_event e SET attempts = e.attempts + 1
           FROM webhook_endpoint p
          WHERE e.id = $1 AND e.status = $2 AND e.attempts < $3 AND p.id = e.endpoint_id
          RETURNING e.id, e.type, e.data, e.created_at, e.attempts, e.endpoint_id, p.url, p.secret`,
        [eventId, WebhookDeliveryStatus.PENDING, maxAttempts],
      );
      if (row) {
        await manager.query(
          `INSERT INTO webhook_delivery (event_id, endpoint_id, attempt, status) VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id, attempt) DO NOTHING`,
          [row.id, row.endpoint_id, row.attempts, WebhookDeliveryStatus.PENDING],
        );
      }
      return row;
    });
  }
}
