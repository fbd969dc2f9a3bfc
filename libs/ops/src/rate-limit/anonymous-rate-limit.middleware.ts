import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import type Redis from 'ioredis';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
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

/** Addresses remembered as over budget at most; past it the oldest is forgotten (and asked of Redis again). */
const MAX_REMEMBERED_SPENT = 10_000;

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
 *
 * Once Redis has said an address is over budget, this process remembers it until the window
 * ends and refuses that address without asking Redis again: a flood then costs no Redis round
 * trip per request (under the abuse scenario's flood those writes were most of a refusal's
 * cost). A fixed window only ends by expiring, so the verdict cannot change before then; what
 * the remembered refusals no longer do is raise a counter that is already over the limit.
 */
@Injectable()
export class AnonymousRateLimiter {
  private readonly logger = new Logger(AnonymousRateLimiter.name);

  /** Keys known to be over budget, and when (Date.now()) their window ends. */
  private readonly spentUntil = new Map<string, number>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly config: AppConfig,
    @Inject(OPS_REDIS) private readonly redis: Redis,
  ) {}

  /**
   * The middleware's verdict for the one kind of request a flood is made of, given before
   * Express sees the request (configureApp mounts it on the HTTP server, with the client address
   * as Express computes it, asked only when some address is known to be spent, and the security headers every answer carries): from an address this
   * process already knows to be over budget, with no credential or a bearer JWT that is sure to
   * be refused (forged). Such a request is answered 429 here, synchronously, and true is
   * returned. Anything else — an address not known to be spent, a possibly valid credential, a
   * cookie (the dashboard's), a cross-origin request (its CORS headers come from the full path)
   * — returns false at once and goes the whole way, where the middleware decides as before.
   *
   * Why: under the abuse scenario's floods each refusal cost ~1 ms of the API's single event
   * loop through Express's router, helmet and this middleware's promise chain, against ~0.25 ms
   * for a bare Node answer; that time is taken from every other org's requests.
   */
  refuseKnownSpent(
    req: IncomingMessage,
    res: ServerResponse,
    clientAddress: () => string,
    headers: OutgoingHttpHeaders,
  ): boolean {
    if (this.spentUntil.size === 0) return false;
    const h = req.headers;
    if (h.origin !== undefined || h.cookie !== undefined) return false;
    const retryAfterMs = this.knownSpent(`anon:${clientAddress()}`);
    if (retryAfterMs === null) return false;
    if (Authenticator.carriesCredential(req) && !this.authenticator.carriesForgedJwt(req)) return false;
    this.refuse(res, retryAfterMs, headers);
    return true;
  }

  /** The Express middleware. */
  readonly middleware: RequestHandler = (req, res, next) => {
    this.handle(req, res).then((allowed) => (allowed ? next() : undefined), next);
  };

  private async handle(req: RequestWithUser, res: Response): Promise<boolean> {
    const key = `anon:${req.ip ?? 'unknown'}`;
    const known = this.knownSpent(key);
    if (!this.carriesCredential(req)) {
      const spent = known === null ? await this.increment(key) : { retryAfterMs: known };
      if (spent) this.refuse(res, spent.retryAfterMs);
      return !spent;
    }
    // A valid token never spends or suffers this budget, and checking one (remembered once
    // verified) costs less than the two Redis reads below: the common request skips them.
    if (await this.authenticator.carriesValidJwt(req)) return true;
    if (known === null) {
      res.once('finish', () => {
        if (!req.user) void this.increment(key);
      });
    }
    const retryAfterMs = known ?? (await this.spentFor(key));
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
      if (hits <= this.config.RATE_LIMIT_ANON) return null;
      this.remember(key, ttl);
      return { retryAfterMs: Math.max(ttl, 0) };
    } catch (error) {
      this.redisFailed(error);
      return null;
    }
  }

  /** Milliseconds until the window resets when the key has spent its budget; null when it has not. */
  private async spentFor(key: string): Promise<number | null> {
    try {
      const [hits, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      if (Number(hits ?? 0) < this.config.RATE_LIMIT_ANON) return null;
      this.remember(key, ttl);
      return Math.max(ttl, 0);
    } catch (error) {
      this.redisFailed(error);
      return null;
    }
  }

  /** Milliseconds left in the window of a key this process knows to be over budget; null otherwise. */
  private knownSpent(key: string): number | null {
    const until = this.spentUntil.get(key);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left > 0) return left;
    this.spentUntil.delete(key);
    return null;
  }

  private remember(key: string, ttlMs: number): void {
    // A key without an expiry (PTTL < 0) is not remembered: Redis stays the judge of it.
    if (ttlMs <= 0) return;
    this.spentUntil.delete(key);
    if (this.spentUntil.size >= MAX_REMEMBERED_SPENT) {
      const oldest = this.spentUntil.keys().next();
      if (!oldest.done) this.spentUntil.delete(oldest.value);
    }
    this.spentUntil.set(key, Date.now() + ttlMs);
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

  private refuse(res: ServerResponse, retryAfterMs: number, headers: OutgoingHttpHeaders = {}): void {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const body = JSON.stringify({
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
    // Written with Node's own response, not Express's res.json: a refusal is what a flood gets
    // thousands of times, and the plain path (head and body in one write, no ETag) costs less.
    res.writeHead(429, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': String(retryAfterSeconds),
    });
    res.end(body);
  }

  private redisFailed(error: unknown): void {
    this.logger.warn(
      `Per-IP limit not applied, Redis failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
