import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn } from '@app/core';
import { CreditSource } from '../../credit.types';

/**
 * What is left of one grant. `available` is the sum of the remainders of the lots that have not
 * expired; a hold draws from the lots that expire first, then the oldest (credit_hold_lot says
 * which), a release gives its share back to the lot it came from, and at `expires_at` the
 * sweep writes the remainder off as a `credit_expired` ledger entry and sets `expired_at`.
 * Changed only under the org's account lock.
 */
@Entity('credit_lot')
@Check('CHK_credit_lot_remaining', '"remaining" >= 0 AND "remaining" <= "granted"')
@Index('IDX_credit_lot_draw', ['orgId', 'expiresAt', 'createdAt'], { where: '"expired_at" IS NULL' })
@Index('IDX_credit_lot_due', ['expiresAt'], { where: '"expired_at" IS NULL AND "expires_at" IS NOT NULL' })
export class CreditLotEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  /** The `credit_added` entry this lot comes from; null for the opening lot of a balance that predates lots. */
  @Column({ name: 'grant_id', type: 'uuid', nullable: true })
  grantId: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  source: CreditSource | null;

  @Column({ type: 'bigint', transformer: bigintColumn })
  granted: number;

  @Column({ type: 'bigint', transformer: bigintColumn })
  remaining: number;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Set once, by the expiry that wrote the remainder off. */
  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
