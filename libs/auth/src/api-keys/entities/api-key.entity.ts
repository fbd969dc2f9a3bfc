import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ApiKeyScope } from '../api-key-scope';

/**
 * A partner's credential for one org. Only the SHA-256 of the secret is stored, under a unique
 * index: authenticating is one index lookup. A rotation may leave the previous secret valid
 * for a grace period.
 */
@Entity('api_key')
@Index('IDX_api_key_org_created', ['orgId', 'createdAt'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'org_id', type: 'varchar', length: 128 })
  orgId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The first characters of the current secret, shown in listings to tell keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ type: 'varchar', array: true, length: 32 })
  scopes: ApiKeyScope[];

  @Index('UQ_api_key_secret_hash', { unique: true })
  @Column({ name: 'secret_hash', type: 'char', length: 64 })
  secretHash: string;

  /** The secret replaced by the last rotation, still valid until previousSecretExpiresAt. */
  @Index('UQ_api_key_previous_secret_hash', { unique: true })
  @Column({ name: 'previous_secret_hash', type: 'char', length: 64, nullable: true })
  previousSecretHash: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Who created it (a user id; keys never create keys). */
  @Column({ name: 'created_by', type: 'varchar', length: 256 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Written at most once a minute per key (see ApiKeysService.authenticate), never on every request. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
