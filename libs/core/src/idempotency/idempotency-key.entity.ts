import { Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn } from 'typeorm';

/**
 * A client's Idempotency-Key, scoped to its org: the request it answered (by hash) and the
 * response to replay. Kept for 24 hours.
 */
@Entity('idempotency_key')
@Index('IDX_idempotency_key_created', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** sha256 of method, path and body: the same key with another request is refused. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  /**
   * Which claim holds the key. An abandoned claim can be taken over (see IdempotencyService);
   * the first request, if it was only slow, then finds its claim gone and applies nothing.
   */
  // @Generated, not a default: TypeORM reads a gen_random_uuid() default back as a generated
  // uuid, so a plain default would show up as schema drift on every migration:check.
  @Column({ name: 'claim_id', type: 'uuid' })
  @Generated('uuid')
  claimId: string;

  /** Null while the first request is still running. */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ name: 'response_headers', type: 'jsonb', nullable: true })
  responseHeaders: Record<string, string> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
