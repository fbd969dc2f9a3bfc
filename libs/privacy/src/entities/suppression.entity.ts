import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { SuppressionKind } from '../privacy.types';

/**
 * One do-not-enrich entry: platform-wide when `org_id` is null, else that org's. Values are
 * stored normalised (emails and domains lower-cased, phones E.164), so equality is a lookup.
 */
@Entity('suppression')
@Unique('UQ_suppression_org_kind_value', ['orgId', 'kind', 'value'])
@Index('UQ_suppression_platform_kind_value', ['kind', 'value'], { unique: true, where: '"org_id" IS NULL' })
@Index('IDX_suppression_kind_value', ['kind', 'value'])
export class SuppressionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128, nullable: true })
  orgId: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: SuppressionKind;

  @Column({ type: 'varchar', length: 320 })
  value: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ name: 'created_by', type: 'varchar', length: 256 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
