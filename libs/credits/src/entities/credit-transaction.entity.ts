import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn } from '@app/core';
import { CreditOperationType, CreditSource, CreditTransactionType } from '../credit.types';

/**
 * The append-only ledger (a trigger in the migration refuses UPDATE and DELETE).
 * A settlement row (consumed/released) names its hold and its enrichment; the partial
 * unique index on that pair is what makes settlement exactly-once even if a job runs twice;
 * a grant's (org, reference) is unique too, so a payment processed twice credits once.
 */
@Entity('credit_transaction')
@Check('CHK_credit_transaction_amount', '"amount" > 0')
@Index('IDX_credit_transaction_org_created', ['orgId', 'createdAt'])
@Index('UQ_credit_transaction_settlement', ['holdId', 'enrichmentId'], {
  unique: true,
  where: `"type" IN ('credit_consumed', 'credit_released')`,
})
// A lot's remainder is written off once: one sweep expiry (no hold) per lot.
@Index('UQ_credit_transaction_lot_expiry', ['referenceId'], {
  unique: true,
  where: `"type" = 'credit_expired' AND "hold_id" IS NULL`,
})
@Index('UQ_credit_transaction_grant_reference', ['orgId', 'referenceId'], {
  unique: true,
  where: `"type" = 'credit_added' AND "reference_id" IS NOT NULL`,
})
export class CreditTransactionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ type: 'varchar', length: 32 })
  type: CreditTransactionType;

  @Column({ type: 'bigint', transformer: bigintColumn })
  amount: number;

  @Column({ name: 'operation_type', type: 'varchar', length: 32, nullable: true })
  operationType: CreditOperationType | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  source: CreditSource | null;

  /** What the entry is about: the request for a hold, the hold for a settlement, an invoice for a grant. */
  @Column({ name: 'reference_id', type: 'varchar', length: 200, nullable: true })
  referenceId: string | null;

  /** For settlements: the hold they settle a share of. */
  @Column({ name: 'hold_id', type: 'uuid', nullable: true })
  holdId: string | null;

  @Column({ name: 'enrichment_id', type: 'uuid', nullable: true })
  enrichmentId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'jsonb', nullable: true })
  metadata: Record<string, unknown> | null;

  @Column({ name: 'created_by', type: 'varchar', length: 256, nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
