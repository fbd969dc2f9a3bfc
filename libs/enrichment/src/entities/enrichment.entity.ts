import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { ContactField } from '@app/core';
import { EnrichmentStatus, EntityType } from '../enrichment.types';

/**
 * One org's request for one field of one lead. The unique constraint is the dedupe guarantee.
 * The public object is the first 13 columns; the rest is bookkeeping for billing and the queue.
 */
@Entity('enrichment')
@Unique('UQ_enrichment_org_entity_field', ['orgId', 'entityType', 'entityId', 'field'])
@Index('IDX_enrichment_status_queued', ['status', 'queuedAt'])
@Index('IDX_enrichment_global', ['globalEnrichmentId'], { where: '"global_enrichment_id" IS NOT NULL' })
@Index('IDX_enrichment_open_requested', ['requestedAt'], { where: `"status" IN ('pending', 'processing')` })
export class EnrichmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'entity_id', type: 'uuid' })
  entityId: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 32 })
  entityType: EntityType;

  @Column({ type: 'varchar', length: 16 })
  field: ContactField;

  @Column({ type: 'varchar', length: 16 })
  status: EnrichmentStatus;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 256 })
  createdBy: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ name: 'global_enrichment_id', type: 'uuid', nullable: true })
  globalEnrichmentId: string | null;

  /** The hold that pays for this enrichment. */
  @Column({ name: 'credit_transaction_id', type: 'uuid', nullable: true })
  creditTransactionId: string | null;

  @Column({ name: 'data_found', type: 'boolean', nullable: true })
  dataFound: boolean | null;

  /** This enrichment's share of its hold, in credits. */
  @Column({ type: 'integer', default: 0 })
  charge: number;

  /** Set once, in the transaction that writes the capture or release. */
  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt: Date | null;

  @Column({ name: 'job_id', type: 'varchar', length: 100, nullable: true })
  jobId: string | null;

  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true })
  queuedAt: Date | null;

  @Column({ name: 'processing_started_at', type: 'timestamptz', nullable: true })
  processingStartedAt: Date | null;

  /** When this round of work was asked for (creation or retry): the clock of ENRICHMENT_MAX_AGE_MS. */
  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  /** When its found data was removed (retention or erasure); `data_found` stays as it was. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;
}
