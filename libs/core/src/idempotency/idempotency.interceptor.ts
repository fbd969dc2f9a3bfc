import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { catchError, from, Observable, of, switchMap, throwError } from 'rxjs';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { ErrorEnvelopeDto } from '../errors/error-envelope.dto';
import { AppConfig } from '../config/app-config';
import { FaultPoint, injectFault } from './fault-injection';
import { IdempotencyScope, runInIdempotencyScope } from './idempotency-scope';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENT_KEY = 'idempotency:enabled';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Response headers worth replaying with the body. */
const REPLAYED_HEADERS = ['location', 'x-operation-id'];
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** Marks a route that creates work or moves credits: it honours (and documents) the Idempotency-Key header. */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        pattern: '^[\\x21-\\x7e]+$',
        example: 'a1b2c3d4-retry-safe',
      },
      description:
        'Any unique string (e.g. a UUID) per intended operation, kept 24 hours per organisation: a retry with the same key ' +
        'and body replays the first answer (with `Idempotent-Replayed: true`) instead of doing the work again.',
    }),
    ApiConflictResponse({
      type: ErrorEnvelopeDto,
      description: 'CONFLICT: a request with this Idempotency-Key is still running',
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorEnvelopeDto,
      description: 'UNPROCESSABLE: this Idempotency-Key was used with a different request',
    }),
  );

/** Canonical JSON (sorted keys) so the same request hashes the same whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency-Key for POSTs that create work or move credits, scoped to the caller's org:
 * the same key and request replay the stored answer; the same key with another request is
 * 422; a retry while the first is still running is 409. Only successful answers are stored:
 * a request that failed (validation, 402, ...) releases its key, so it can be retried as is.
 *
 * The handler runs in an idempotency scope: the use case that applies the effect stores the
 * answer in its own transaction (recordIdempotentResponse), so the key is completed exactly
 * when the effect commits. Answers with no effect (a dry run) are stored here afterwards.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyService,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const enabled = this.reflector.get<boolean>(IDEMPOTENT_KEY, context.getHandler());
    const req = context.switchToHttp().getRequest<Request & { user?: { orgId: string } }>();
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (!enabled || key === undefined || !req.user) return next.handle();
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw new AppException(ErrorCode.VALIDATION_ERROR, 'Invalid Idempotency-Key', {
        fields: [{ field: 'Idempotency-Key', messages: ['must be 1-255 visible ASCII characters'] }],
      });
    }
    const orgId = req.user.orgId;
    const res = context.switchToHttp().getResponse<Response>();
    const hash = createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\n${canonical(req.body)}`)
      .digest('hex');
    return from(this.keys.claim(orgId, key, hash)).pipe(
      switchMap((claim) => {
        switch (claim.kind) {
          case 'mismatch':
            throw new AppException(ErrorCode.UNPROCESSABLE, 'This Idempotency-Key was used with a different request');
          case 'in_flight':
            throw new AppException(ErrorCode.CONFLICT, 'A request with this Idempotency-Key is still in progress');
          case 'replay':
            res.status(claim.status);
            for (const [name, value] of Object.entries(claim.headers)) res.setHeader(name, value);
            res.setHeader('Idempotent-Replayed', 'true');
            return of(claim.body);
          case 'claimed': {
            const scope: IdempotencyScope = {
              orgId,
              key,
              claimId: claim.claimId,
              status: this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED,
              recorded: false,
            };
            return runInIdempotencyScope(scope, () => next.handle()).pipe(
              switchMap((body) => from(this.afterEffect(scope, res, body)).pipe(switchMap(() => of(body)))),
              catchError((error: unknown) =>
                from(this.keys.release(scope)).pipe(switchMap(() => throwError(() => error))),
              ),
            );
          }
        }
      }),
    );
  }

  private async afterEffect(scope: IdempotencyScope, res: Response, body: unknown): Promise<void> {
    await injectFault(this.config, FaultPoint.IDEMPOTENCY_AFTER_EFFECT);
    if (scope.recorded) return;
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((name) => {
        const value = res.getHeader(name);
        return value === undefined ? [] : [[name, String(value)]];
      }),
    );
    await this.keys.complete(scope, res.statusCode, { body, headers });
  }
}
