import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookDeliveryStatus, WebhookEventType } from '../webhook.types';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

/**
 * One event for one endpoint. Its id is the `Webhook-Id` every attempt carries, so a
 * receiver can dedupe retries. PostgreSQL is the source of truth: a queue job only points
 * here, and the sweep re-queues pending events whose job was lost.
 */
@Entity('webhook_event')
@Index('IDX_webhook_event_endpoint', ['endpointId'])
@Index('IDX_webhook_event_pending', ['enqueuedAt'], { where: `"status" = 'pending'` })
export class WebhookEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpointEntity;

  @Column({ type: 'varchar', length: 64 })
  type: WebhookEventType;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: WebhookDeliveryStatus.PENDING })
  status: WebhookDeliveryStatus;

  /** Attempts started so far; the next attempt's number is this plus one. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** When a delivery job was last queued; null until the first dispatch after commit. */
  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
