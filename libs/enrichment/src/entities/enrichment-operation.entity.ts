import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ContactField } from '@app/core';
import { OperationKind, OperationStatus } from '../enrichment.types';

/**
 * One bulk or batch request, kept as a resource: its progress is read from its items'
 * enrichments, and it completes when none of them is pending or processing any more.
 */
@Entity('enrichment_operation')
@Index('IDX_enrichment_operation_org_created', ['orgId', 'createdAt'])
@Index('IDX_enrichment_operation_running', ['status'], { where: `"status" = 'running'` })
export class EnrichmentOperationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ name: 'created_by', type: 'varchar', length: 256 })
  createdBy: string;

  @Column({ type: 'varchar', length: 16 })
  kind: OperationKind;

  @Column({ type: 'varchar', length: 16 })
  field: ContactField;

  @Column({ type: 'varchar', length: 16 })
  status: OperationStatus;

  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer' })
  reused: number;

  @Column({ type: 'integer' })
  created: number;

  /**
   * Items not yet final when last counted: recorded with the operation, decremented by each
   * settlement of its items. A hint, not the truth — only when it reaches zero is every item
   * read to decide completion (a retried item can make it run low, which costs a check, never a
   * wrong completion; the recovery sweep completes what it would leave running).
   */
  @Column({ name: 'open_items', type: 'integer', default: 0 })
  openItems: number;

  /** The hold that pays for the enrichments this operation created; null when it created none. */
  @Column({ name: 'hold_id', type: 'uuid', nullable: true })
  holdId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
