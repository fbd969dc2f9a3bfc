import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import { AppException, ErrorCode, NotFoundAppException, runInTransaction, ValidationException } from '@app/core';
import { AuthenticationFailed } from '../../authentication-failed';
import { AuthUser, Role } from '../../auth-user';
import { ALL_API_KEY_SCOPES, ApiKeyScope } from '../api-key-scope';
import { ApiKeyResponseDto, CreatedApiKeyResponseDto } from '../dtos/api-key.response.dto';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { generateApiKeySecret, hashApiKeySecret, isWellFormedApiKey } from './api-key-secret';

export interface CreateApiKeyCommand {
  name: string;
  scopes?: ApiKeyScope[];
  expiresAt?: string;
}

/** lastUsedAt is written at most this often per key, whatever the traffic and the number of processes. */
const LAST_USED_RESOLUTION_MS = 60_000;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toView(key: ApiKeyEntity): ApiKeyResponseDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    expiresAt: iso(key.expiresAt),
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
    previousSecretExpiresAt: iso(key.previousSecretExpiresAt),
  };
}

/**
 * The org's API keys: created, listed, rotated and revoked by its owners (each change audited
 * in its own transaction), and the lookup that authenticates a request carrying one. Nothing is
 * cached: every request reads the key's row by the secret's hash, so a revocation or rotation is
 * in force in every process as soon as it commits.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(owner: AuthUser, command: CreateApiKeyCommand): Promise<CreatedApiKeyResponseDto> {
    const expiresAt = command.expiresAt === undefined ? null : new Date(command.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationException('expiresAt must be in the future', {
        fields: [{ field: 'expiresAt', messages: ['expiresAt must be in the future'] }],
      });
    }
    const { secret, hash, displayPrefix } = generateApiKeySecret();
    return runInTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(ApiKeyEntity);
      const key = await repository.save(
        repository.create({
          orgId: owner.orgId,
          name: command.name,
          prefix: displayPrefix,
          scopes: command.scopes ?? [...ALL_API_KEY_SCOPES],
          secretHash: hash,
          expiresAt,
          createdBy: owner.userId,
        }),
      );
      await this.record(manager, owner, 'api_key.created', key, {
        name: key.name,
        scopes: key.scopes,
        expiresAt: iso(expiresAt),
      });
      return { ...toView(key), secret };
    });
  }

  async list(orgId: string): Promise<ApiKeyResponseDto[]> {
    const keys = await this.dataSource
      .getRepository(ApiKeyEntity)
      .find({ where: { orgId }, order: { createdAt: 'DESC', id: 'ASC' } });
    return keys.map(toView);
  }

  /** Revoked at once (idempotent: revoking a revoked key changes nothing and is not audited again). */
  async revoke(owner: AuthUser, id: string): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      const key = await this.lockKey(manager, owner.orgId, id);
      if (key.revokedAt) return;
      key.revokedAt = new Date();
      await manager.getRepository(ApiKeyEntity).save(key);
      await this.record(manager, owner, 'api_key.revoked', key, { name: key.name });
    });
  }

  /**
   * A new secret for the same key (same id, scopes and expiry). The replaced secret stops at
   * once, or after graceSeconds; a secret replaced earlier and still in its grace stops now.
   */
  async rotate(owner: AuthUser, id: string, graceSeconds = 0): Promise<CreatedApiKeyResponseDto> {
    const { secret, hash, displayPrefix } = generateApiKeySecret();
    return runInTransaction(this.dataSource, async (manager) => {
      const key = await this.lockKey(manager, owner.orgId, id);
      if (key.revokedAt) throw new AppException(ErrorCode.CONFLICT, 'This API key is revoked; create a new one');
      if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
        throw new AppException(ErrorCode.CONFLICT, 'This API key has expired; create a new one');
      }
      const graceEnds = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null;
      key.previousSecretHash = graceEnds ? key.secretHash : null;
      key.previousSecretExpiresAt = graceEnds;
      key.secretHash = hash;
      key.prefix = displayPrefix;
      await manager.getRepository(ApiKeyEntity).save(key);
      await this.record(manager, owner, 'api_key.rotated', key, { name: key.name, graceSeconds });
      return { ...toView(key), secret };
    });
  }

  /** The caller a key stands for: one index lookup by the secret's hash. */
  async authenticate(credential: string): Promise<AuthUser> {
    if (!isWellFormedApiKey(credential)) throw AuthenticationFailed.invalid('Malformed API key');
    const hash = hashApiKeySecret(credential);
    const [key] = await this.dataSource.query<ApiKeyRow[]>(
      `SELECT id, org_id, scopes, revoked_at, expires_at, last_used_at,
              (secret_hash = $1) AS current, previous_secret_expires_at
         FROM api_key
        WHERE secret_hash = $1 OR previous_secret_hash = $1`,
      [hash],
    );
    if (!key) throw AuthenticationFailed.invalid('Unknown API key');
    const now = Date.now();
    if (key.revoked_at) throw AuthenticationFailed.invalid('This API key was revoked');
    if (key.expires_at && key.expires_at.getTime() <= now)
      throw AuthenticationFailed.invalid('This API key has expired');
    if (!key.current && !(key.previous_secret_expires_at && key.previous_secret_expires_at.getTime() > now)) {
      throw AuthenticationFailed.invalid('This API key secret was rotated; use the new secret');
    }
    if (!key.last_used_at || now - key.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) this.touch(key.id);
    return { userId: `apikey:${key.id}`, orgId: key.org_id, role: Role.MEMBER, apiKeyId: key.id, scopes: key.scopes };
  }

  /** Off the request path; the condition keeps concurrent requests (any process) to one write a minute. */
  private touch(id: string): void {
    this.dataSource
      .query(
        `UPDATE api_key SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - make_interval(secs => $2))`,
        [id, LAST_USED_RESOLUTION_MS / 1000],
      )
      .catch((error: unknown) =>
        this.logger.warn(
          `lastUsedAt not recorded for API key ${id}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }

  private async lockKey(manager: EntityManager, orgId: string, id: string): Promise<ApiKeyEntity> {
    const key = await manager
      .getRepository(ApiKeyEntity)
      .findOne({ where: { id, orgId }, lock: { mode: 'pessimistic_write' } });
    if (!key) throw new NotFoundAppException(`No API key ${id} in this organisation`);
    return key;
  }

  private record(
    manager: EntityManager,
    owner: AuthUser,
    action: string,
    key: ApiKeyEntity,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(manager, {
      actorId: owner.userId,
      actorOrgId: owner.orgId,
      action,
      orgId: key.orgId,
      targetType: 'api_key',
      targetId: key.id,
      details,
    });
  }
}

interface ApiKeyRow {
  id: string;
  org_id: string;
  scopes: ApiKeyScope[];
  revoked_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  current: boolean;
  previous_secret_expires_at: Date | null;
}
