import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/** The answer an Idempotency-Key replays. */
export interface IdempotentResponse {
  body: unknown;
  headers?: Record<string, string>;
}

/** The key the current request claimed, set by IdempotencyInterceptor around the handler. */
export interface IdempotencyScope {
  orgId: string;
  key: string;
  claimId: string;
  /** The status the route answers with (its @HttpCode, else 201 for a POST). */
  status: number;
  /** Set once the answer was written in the effect's transaction. */
  recorded: boolean;
}

const scopes = new AsyncLocalStorage<IdempotencyScope>();

export function runInIdempotencyScope<T>(scope: IdempotencyScope, run: () => T): T {
  return scopes.run(scope, run);
}

/**
 * Completes the request's Idempotency-Key inside the transaction that applies its effect (a
 * grant, a hold, an operation record), so the two commit together: no failure or crash
 * between "applied" and "remembered" is possible, and a retry replays instead of applying
 * again. Without an Idempotency-Key it does nothing. When the claim is no longer ours (the
 * request ran past the in-flight lease and another took the key over) it throws CONFLICT,
 * which rolls the effect back: one key, at most one effect.
 */
export async function recordIdempotentResponse(manager: EntityManager, response: IdempotentResponse): Promise<void> {
  const scope = scopes.getStore();
  if (!scope || scope.recorded) return;
  const rows = await queryRows<{ key: string }>(
    manager,
    `UPDATE idempotency_key SET response_status = $4, response_body = $5, response_headers = $6
      WHERE org_id = $1 AND key = $2 AND claim_id = $3 AND response_status IS NULL
      RETURNING key`,
    [
      scope.orgId,
      scope.key,
      scope.claimId,
      scope.status,
      JSON.stringify(response.body ?? null),
      response.headers ?? {},
    ],
  );
  if (rows.length === 0) {
    throw new AppException(
      ErrorCode.CONFLICT,
      'This Idempotency-Key was taken over by a newer request after this one ran too long; nothing was applied',
    );
  }
  scope.recorded = true;
}
