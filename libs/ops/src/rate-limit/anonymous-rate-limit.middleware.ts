import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import type Redis from 'ioredis';
import { Authenticator } from '@app/auth';
import { AppConfig, ErrorCode } from '@app/core';
import { DASHBOARD_PATH, dashboardCookieOf } from '../http/dashboard-cookie.middleware';
import { OPS_REDIS } from '../services/ops-redis.provider';

/**
 * One fixed window per key: INCR, and the window's expiry set by the request that opened it —
 * atomically, so a crash between the two can never leave a counter without an expiry.
 * Returns the count so far and the milliseconds left in the window.
 */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

type RequestWithUser = Request & { user?: unknown };

/**
 * The per-IP budget in front of authentication (RATE_LIMIT_ANON per RATE_LIMIT_ANON_WINDOW_MS).
 * The per-org budget runs after authentication, so without this a client with no token (or a
 * garbage one) could make the API parse bodies and verify tokens without end, and hammer the
 * docs, health, metrics and dashboard login, all for free.
 *
 * Mounted on the Express app before the body is read (see configureApp):
 * - a request with no credential at all is counted at once, and refused with 429 over budget;
 * - a request whose bearer JWT verifies goes on at once, without a Redis call (the common case);
 * - a request with another credential is counted when its response ends if no guard accepted it
 *   (a 401, or a public route): its validity is only known then. Once its IP is over budget,
 *   its credential is verified up front with the app's own guard: valid → served, as it would
 *   be from any other IP (a valid token never spends or suffers this budget); not → 429.
 * Redis failing lets requests through (as the per-org limit does): an outage of the limiter
 * must not become an outage of the API.
 */
@Injectable()
export class AnonymousRateLimiter {
  private readonly logger = new Logger(AnonymousRateLimiter.name);

  constructor(
    private readonly authenticator: Authenticator,
    private readonly config: AppConfig,
    @Inject(OPS_REDIS) private readonly redis: Redis,
  ) {}

  /** The Express middleware. */
  readonly middleware: RequestHandler = (req, res, next) => {
    this.handle(req, res).then((allowed) => (allowed ? next() : undefined), next);
  };

  private async handle(req: RequestWithUser, res: Response): Promise<boolean> {
    const key = `anon:${req.ip ?? 'unknown'}`;
    if (!this.carriesCredential(req)) {
      const spent = await this.increment(key);
      if (spent) this.refuse(res, spent.retryAfterMs);
      return !spent;
    }
    // A valid token never spends or suffers this budget, and checking one (remembered once
    // verified) costs less than the two Redis reads below: the common request skips them.
    if (await this.authenticator.carriesValidJwt(req)) return true;
    res.once('finish', () => {
      if (!req.user) void this.increment(key);
    });
    const retryAfterMs = await this.spentFor(key);
    if (retryAfterMs === null || (await this.credentialIsValid(req))) return true;
    this.refuse(res, retryAfterMs);
    return false;
  }

  private carriesCredential(req: Request): boolean {
    if (Authenticator.carriesCredential(req)) return true;
    if (!req.path.startsWith(DASHBOARD_PATH)) return false;
    try {
      return dashboardCookieOf(req) !== undefined;
    } catch {
      return false; // a malformed cookie is no credential (the dashboard middleware answers it with 400)
    }
  }

  /** Counts one request; the retry delay when that request went over the budget, null otherwise. */
  private async increment(key: string): Promise<{ retryAfterMs: number } | null> {
    try {
      const [hits, ttl] = (await this.redis.eval(INCREMENT_SCRIPT, 1, key, this.config.RATE_LIMIT_ANON_WINDOW_MS)) as [
        number,
        number,
      ];
      return hits > this.config.RATE_LIMIT_ANON ? { retryAfterMs: Math.max(ttl, 0) } : null;
    } catch (error) {
      this.redisFailed(error);
      return null;
    }
  }

  /** Milliseconds until the window resets when the key has spent its budget; null when it has not. */
  private async spentFor(key: string): Promise<number | null> {
    try {
      const [hits, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      return Number(hits ?? 0) >= this.config.RATE_LIMIT_ANON ? Math.max(ttl, 0) : null;
    } catch (error) {
      this.redisFailed(error);
      return null;
    }
  }

  private async credentialIsValid(req: RequestWithUser): Promise<boolean> {
    const header = req.headers.authorization;
    // A dashboard page's cookie stands for the header, as DashboardCookieMiddleware will make it.
    if (!header) req.headers.authorization = `Bearer ${dashboardCookieOf(req)}`;
    try {
      await this.authenticator.authenticate(req);
      return true;
    } catch {
      return false;
    } finally {
      // The route's own guards authenticate the request again; nothing of this check leaks into it.
      req.headers.authorization = header;
    }
  }

  private refuse(res: Response, retryAfterMs: number): void {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(429).json({
      error: {
        code: ErrorCode.RATE_LIMITED,
        message: 'Too many requests without a valid credential from this address',
        details: {
          limit: this.config.RATE_LIMIT_ANON,
          windowSeconds: Math.ceil(this.config.RATE_LIMIT_ANON_WINDOW_MS / 1000),
          retryAfterSeconds,
        },
      },
    });
  }

  private redisFailed(error: unknown): void {
    this.logger.warn(
      `Per-IP limit not applied, Redis failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
