import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookEventType } from '../webhook.types';

/** A URL an org wants its events POSTed to, signed with the endpoint's secret. */
@Entity('webhook_endpoint')
@Index('IDX_webhook_endpoint_org', ['orgId', 'createdAt'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** Kept readable (not hashed): every delivery is signed with it. Shown to the org once. */
  @Column({ type: 'varchar', length: 256 })
  secret: string;

  @Column({ type: 'varchar', array: true, length: 64 })
  events: WebhookEventType[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
