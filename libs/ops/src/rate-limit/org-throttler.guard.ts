import { ExecutionContext, HttpException, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import type { Request } from 'express';
import type { AuthUser } from '@app/auth';
import { AppException, ErrorCode } from '@app/core';

/**
 * The API rate limit: one budget per organisation (per IP for callers without a token),
 * whatever route they call, counted in Redis so every API process shares it.
 *
 * It is an APP_GUARD registered after AuthModule's, so it runs after AuthGuard has put the
 * caller on the request: the org id is known, and requests refused with 401/403 spend nothing.
 * Headers use the IETF draft names (RateLimit-Limit, -Remaining, -Reset) on every limited route.
 */
@Injectable()
export class OrgThrottlerGuard extends ThrottlerGuard {
  protected override headerPrefix = 'RateLimit';
  protected override logger = new Logger(OrgThrottlerGuard.name);

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = (req as unknown as Request & { user?: AuthUser }).user;
    return user ? `org:${user.orgId}` : `ip:${await super.getTracker(req)}`;
  }

  /** One key per caller, not per route (the default keys by controller and handler too). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  /**
   * When Redis does not answer, the request goes through unlimited: an outage of the limiter
   * must not become an outage of the API (enrichment requests already survive Redis being down).
   */
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.warn(
        `Rate limit not applied, Redis failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return true;
    }
  }

  // Not async: it only throws, and the base class's signature wants a Promise (rejected here).
  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'RateLimit-Limit', detail.limit);
    this.setResponseHeader(res, 'RateLimit-Remaining', 0);
    this.setResponseHeader(res, 'RateLimit-Reset', detail.timeToBlockExpire);
    return Promise.reject(
      new AppException(ErrorCode.RATE_LIMITED, 'Too many requests: the rate limit of this organisation is spent', {
        limit: detail.limit,
        windowSeconds: Math.ceil(detail.ttl / 1000),
        retryAfterSeconds: detail.timeToBlockExpire,
      }),
    );
  }
}
