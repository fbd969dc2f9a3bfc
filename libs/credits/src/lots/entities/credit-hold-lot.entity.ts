import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '@app/core';

/**
 * The part of a hold drawn from one lot. A hold's parts are laid end to end (`start` is the
 * offset of this part in the hold): captures are paid from the front, releases go back from
 * the end, so each release knows exactly which lots its credits return to.
 */
@Entity('credit_hold_lot')
@Check('CHK_credit_hold_lot_returned', '"returned" >= 0 AND "returned" <= "amount"')
@Index('IDX_credit_hold_lot_lot', ['lotId'])
export class CreditHoldLotEntity {
  @PrimaryColumn({ name: 'hold_id', type: 'uuid' })
  holdId: string;

  @PrimaryColumn({ name: 'lot_id', type: 'uuid' })
  lotId: string;

  @Column({ type: 'bigint', transformer: bigintColumn })
  start: number;

  @Column({ type: 'bigint', transformer: bigintColumn })
  amount: number;

  /** Released back to the lot (or, if it had expired, written off at once). */
  @Column({ type: 'bigint', default: 0, transformer: bigintColumn })
  returned: number;
}
