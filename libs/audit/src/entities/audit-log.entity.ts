import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what, when, to which org: every admin action. Append-only by convention and by API. */
@Entity('audit_log')
@Index('IDX_audit_log_created', ['createdAt'])
@Index('IDX_audit_log_org_created', ['orgId', 'createdAt'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The admin's user id (JWT sub). */
  @Column({ name: 'actor_id', type: 'varchar', length: 256 })
  actorId: string;

  @Column({ name: 'actor_org_id', type: 'varchar', length: 128 })
  actorOrgId: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** The organisation acted upon. */
  @Column({ name: 'org_id', type: 'varchar', length: 128, nullable: true })
  orgId: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 200, nullable: true })
  targetId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
