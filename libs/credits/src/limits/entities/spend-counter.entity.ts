import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '@app/core';
import { SpendPeriod, SpendScope } from '../spend-limit.types';

/**
 * Credits held in one UTC period by one subject, net of what was released from those holds.
 * A hold adds to its subjects' counters (org, user, API key; day and month) in its own
 * transaction under the account lock; a release subtracts from the counters of the period
 * its hold was made in. Limits read one row each instead of summing the ledger, so the check
 * costs the same on the last day of a busy month as on the first.
 */
@Entity('spend_counter')
export class SpendCounterEntity {
  @PrimaryColumn({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  scope: SpendScope;

  /** The user id or API key id; '' for the org. */
  @PrimaryColumn({ name: 'subject_id', type: 'varchar', length: 256 })
  subjectId: string;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  period: SpendPeriod;

  /** The period's first UTC day. */
  @PrimaryColumn({ name: 'period_start', type: 'date' })
  periodStart: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintColumn })
  spent: number;
}
