import { Injectable } from '@nestjs/common';
import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import {
  AppConfig,
  AppException,
  ErrorCode,
  isUnsafeString,
  UNSAFE_STRING_MESSAGE,
  ValidationException,
} from '@app/core';
import { AuthUser, Role, TokenClaims } from './auth-user';

const MAX_CLAIM_LENGTH = 128;

function isClaim(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;
}

/**
 * Bearer tokens, verified with one pinned algorithm: RS256 when a public key is configured,
 * HS256 with the shared secret otherwise — never both, so an RS256 public key can never be
 * used as an HMAC secret (the HS/RS confusion attack) and `alg: none` is never accepted.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly operatorOrgs: ReadonlySet<string>;

  constructor(config: AppConfig) {
    // A KeyObject, built once: given a string, jsonwebtoken re-parses it on every request.
    const key: KeyObject = config.JWT_PUBLIC_KEY
      ? createPublicKey(config.JWT_PUBLIC_KEY)
      : createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken accepts a KeyObject; passport-jwt's types only list string | Buffer.
      secretOrKeyProvider: (_request: unknown, _token: unknown, done: (error: null, key: Buffer) => void) =>
        done(null, key as unknown as Buffer),
      algorithms: config.JWT_PUBLIC_KEY ? ['RS256'] : ['HS256'],
      ignoreExpiration: false,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    this.operatorOrgs = new Set(config.ADMIN_ORG_IDS);
  }

  validate(payload: Partial<TokenClaims> & { exp?: unknown }): AuthUser {
    const { sub, org_id: orgId, role = Role.MEMBER } = payload;
    // A token without an expiry would be valid forever; we refuse to honour one.
    if (typeof payload.exp !== 'number') {
      throw new AppException(ErrorCode.UNAUTHORIZED, 'Token has no expiry (exp)');
    }
    if (!isClaim(sub) || !isClaim(orgId)) {
      throw new AppException(ErrorCode.UNAUTHORIZED, 'Token must carry sub and org_id claims');
    }
    // Signed, but not storable as text (PostgreSQL refuses NUL): the same 400 as any input field.
    for (const [claim, value] of [
      ['sub', sub],
      ['org_id', orgId],
    ] as const) {
      if (isUnsafeString(value)) {
        throw new ValidationException('Request validation failed', {
          fields: [{ field: `token.${claim}`, messages: [`token.${claim} ${UNSAFE_STRING_MESSAGE}`] }],
        });
      }
    }
    if (!Object.values(Role).includes(role)) {
      throw new AppException(ErrorCode.UNAUTHORIZED, `Unknown role "${String(role)}"`);
    }
    // `admin` means platform operator only for the operator orgs; elsewhere it is the org's own
    // administrator, i.e. an owner of that org, never more.
    const effective = role === Role.ADMIN && !this.operatorOrgs.has(orgId) ? Role.OWNER : role;
    return { userId: sub, orgId, role: effective };
  }
}
