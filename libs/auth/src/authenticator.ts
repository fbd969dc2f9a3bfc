import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiKeysService } from './api-keys/services/api-keys.service';
import { looksLikeApiKey } from './api-keys/services/api-key-secret';
import { AuthenticationFailed } from './authentication-failed';
import { AuthUser } from './auth-user';
import { JwtVerifier } from './jwt/jwt-verifier';

export const API_KEY_HEADER = 'x-api-key';

const bearerToken = (authorization: string): string | undefined => /^Bearer +(\S+) *$/i.exec(authorization)?.[1];

/**
 * Who is calling, from the one credential the request carries: `X-API-Key: <key>`, or
 * `Authorization: Bearer <key or JWT>` (a key is recognised by its prefix, never parsed as a JWT).
 * Both kinds end as an AuthUser; both headers at once is refused rather than guessed between.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly jwt: JwtVerifier,
    private readonly apiKeys: ApiKeysService,
  ) {}

  static carriesCredential(req: { headers: IncomingHttpHeaders }): boolean {
    return req.headers.authorization !== undefined || req.headers[API_KEY_HEADER] !== undefined;
  }

  async authenticate(req: Request): Promise<AuthUser> {
    const apiKey = req.headers[API_KEY_HEADER];
    const authorization = req.headers.authorization;
    if (apiKey !== undefined) {
      if (authorization !== undefined) {
        throw AuthenticationFailed.invalid('Send one credential: X-API-Key or Authorization, not both');
      }
      if (typeof apiKey !== 'string') throw AuthenticationFailed.invalid('Send one X-API-Key header');
      return this.apiKeys.authenticate(apiKey.trim());
    }
    if (authorization === undefined) {
      throw AuthenticationFailed.missing('Missing credentials: send Authorization: Bearer <token> or X-API-Key: <key>');
    }
    const token = bearerToken(authorization);
    if (!token) throw AuthenticationFailed.invalid('The Authorization header must be "Bearer <token>"');
    return looksLikeApiKey(token) ? this.apiKeys.authenticate(token) : this.jwt.verify(token);
  }

  /**
   * Whether the request's one credential is a bearer JWT that verifies. Cheap (verified tokens
   * are remembered, see JwtVerifier) and never touches PostgreSQL: an API key or anything
   * else answers false without being looked up.
   */
  async carriesValidJwt(req: Request): Promise<boolean> {
    const authorization = req.headers.authorization;
    if (req.headers[API_KEY_HEADER] !== undefined || authorization === undefined) return false;
    const token = bearerToken(authorization);
    if (!token || looksLikeApiKey(token)) return false;
    try {
      await this.jwt.verify(token);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether the request's one credential is a bearer JWT for this deployment's algorithm with a
   * wrong signature: sure to be refused, decided synchronously for a few µs (JwtVerifier.isForged).
   * False for anything that needs a closer look (API keys, other tokens, JWKS deployments).
   */
  carriesForgedJwt(req: { headers: IncomingHttpHeaders }): boolean {
    const authorization = req.headers.authorization;
    if (req.headers[API_KEY_HEADER] !== undefined || authorization === undefined) return false;
    const token = bearerToken(authorization);
    return token !== undefined && !looksLikeApiKey(token) && this.jwt.isForged(token);
  }
}
