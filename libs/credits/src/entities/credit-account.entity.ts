import { bigintColumn } from '@app/core';
import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An organisation's prepaid balance. `available` can be spent; `held` is reserved by pending work. */
@Entity('credit_account')
@Check('CHK_credit_account_available', '"available" >= 0')
@Check('CHK_credit_account_held', '"held" >= 0')
export class CreditAccountEntity {
  @PrimaryColumn({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintColumn })
  available: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintColumn })
  held: number;

  /**
   * The org's `lowBalanceThreshold` setting (GET/PUT /api/v1/org/settings): `credits.low` when
   * `available` drops below it; null = no low-balance alert. On this row because every change
   * of `available` already holds its lock.
   */
  @Column({ name: 'low_balance_threshold', type: 'bigint', nullable: true, transformer: bigintColumn })
  lowBalanceThreshold: number | null;

  /**
   * The alerts' state, flipped only under this row's lock (CreditAlertsService): true once
   * `credits.low` was sent for the current stay below the threshold, false again (re-armed) once
   * `available` is at or above it.
   */
  @Column({ name: 'low_balance_alerted', type: 'boolean', default: false })
  lowBalanceAlerted: boolean;

  /** True once `credits.depleted` was sent for the current stay at 0; false again above 0. */
  @Column({ name: 'depleted_alerted', type: 'boolean', default: false })
  depletedAlerted: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
