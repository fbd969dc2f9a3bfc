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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
