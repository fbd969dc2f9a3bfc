import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn } from '@app/core';
import { SpendPeriod, SpendScope } from '../spend-limit.types';

/**
 * A cap on what an org, one of its users or one of its API keys may hold per UTC day or
 * month. One limit per (org, scope, subject, period): a second one would only be confusing.
 */
@Entity('spend_limit')
@Check('CHK_spend_limit_amount', '"credit_limit" > 0')
@Check('CHK_spend_limit_subject', `("scope" = 'org') = ("subject_id" = '')`)
@Index('UQ_spend_limit_subject_period', ['orgId', 'scope', 'subjectId', 'period'], { unique: true })
export class SpendLimitEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ type: 'varchar', length: 16 })
  scope: SpendScope;

  /** The user id or API key id; '' for the org scope (so the unique index covers it). */
  @Column({ name: 'subject_id', type: 'varchar', length: 256 })
  subjectId: string;

  @Column({ type: 'varchar', length: 8 })
  period: SpendPeriod;

  @Column({ name: 'credit_limit', type: 'bigint', transformer: bigintColumn })
  creditLimit: number;

  @Column({ name: 'created_by', type: 'varchar', length: 256 })
  createdBy: string;

  /**
   * The start of the last period whose `spend_limit.reached` event was sent: the alert's
   * dedupe (one per limit and period), set by the first refusal or exact use-up in a period.
   */
  @Column({ name: 'reached_period_start', type: 'date', nullable: true })
  reachedPeriodStart: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
