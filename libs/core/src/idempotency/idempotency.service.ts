import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import type { IdempotencyScope, IdempotentResponse } from './idempotency-scope';

/** How long a key is remembered. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** A first request still "running" after this long died with its process: the key may be taken over. */
const IN_FLIGHT_LEASE_SECONDS = 120;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export type IdempotencyClaim =
  | { kind: 'claimed'; claimId: string }
  | { kind: 'replay'; status: number; body: unknown; headers: Record<string, string> }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' };

/** Stores Idempotency-Keys in PostgreSQL, so every API process sees the same keys. */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private purgeTimer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Expired keys are also forgotten hourly, so the table does not grow without bound. */
  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purgeExpired().catch(() => undefined), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /**
   * Claims the key for this request, or says what to do instead. Claiming is one INSERT, so
   * two processes racing on one key cannot both win.
   */
  async claim(orgId: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    // An expired key, or an abandoned claim, is forgotten first.
    await this.dataSource.query(
      `DELETE FROM idempotency_key WHERE org_id = $1 AND key = $2
          AND (created_at < now() - make_interval(hours => $3)
               OR (response_status IS NULL AND created_at < now() - make_interval(secs => $4)))`,
      [orgId, key, IDEMPOTENCY_KEY_TTL_HOURS, IN_FLIGHT_LEASE_SECONDS],
    );
    const inserted: { claim_id: string }[] = await this.dataSource.query(
      `INSERT INTO idempotency_key (org_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (org_id, key) DO NOTHING RETURNING claim_id`,
      [orgId, key, requestHash],
    );
    if (inserted.length > 0) return { kind: 'claimed', claimId: inserted[0].claim_id };
    const [row]: {
      request_hash: string;
      response_status: number | null;
      response_body: unknown;
      response_headers: Record<string, string> | null;
    }[] = await this.dataSource.query(
      'SELECT request_hash, response_status, response_body, response_headers FROM idempotency_key WHERE org_id = $1 AND key = $2',
      [orgId, key],
    );
    // Gone between the two statements (its first request failed and released it): try once more.
    if (!row) return this.claim(orgId, key, requestHash);
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.response_status === null) return { kind: 'in_flight' };
    return {
      kind: 'replay',
      status: row.response_status,
      body: row.response_body,
      headers: row.response_headers ?? {},
    };
  }

  /**
   * Stores the answer of a request that changed nothing (a dry run): requests with an effect
   * store theirs in the effect's own transaction (recordIdempotentResponse), and this finds
   * the key already completed and leaves it as it is.
   */
  async complete(
    scope: Pick<IdempotencyScope, 'orgId' | 'key' | 'claimId'>,
    status: number,
    response: IdempotentResponse,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_key SET response_status = $4, response_body = $5, response_headers = $6
        WHERE org_id = $1 AND key = $2 AND claim_id = $3 AND response_status IS NULL`,
      [scope.orgId, scope.key, scope.claimId, status, JSON.stringify(response.body ?? null), response.headers ?? {}],
    );
  }

  /** The request failed: the key is released (if it is still this request's), so the client may retry with it. */
  async release(scope: Pick<IdempotencyScope, 'orgId' | 'key' | 'claimId'>): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM idempotency_key WHERE org_id = $1 AND key = $2 AND claim_id = $3 AND response_status IS NULL',
      [scope.orgId, scope.key, scope.claimId],
    );
  }

  /** Forgets keys older than the TTL; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await queryRows<{ key: string }>(
      this.dataSource,
      'DELETE FROM idempotency_key WHERE created_at < now() - make_interval(hours => $1) RETURNING key',
      [IDEMPOTENCY_KEY_TTL_HOURS],
    );
    return rows.length;
  }
}
