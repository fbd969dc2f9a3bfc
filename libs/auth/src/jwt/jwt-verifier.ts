import { Injectable } from '@nestjs/common';
import { createHmac, createPublicKey, createSecretKey, KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { createRemoteJWKSet, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { AppConfig, isUnsafeString, UNSAFE_STRING_MESSAGE, ValidationException } from '@app/core';
import { AuthenticationFailed } from '../authentication-failed';
import { AuthUser, Role } from '../auth-user';

const MAX_CLAIM_LENGTH = 128;
/** Clocks of the identity provider and ours may differ by a few seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** How long one JWKS fetch may take before the request fails (a 500: the caller's token may be fine). */
const JWKS_TIMEOUT_MS = 5000;
/**
 * How long a verified token is remembered. A frontend sends the same token with every request;
 * checking its signature each time was about 5 % of the API's CPU under load. Short enough that
 * nothing a verification depends on (the key set, the clock) drifts meanwhile; never past `exp`.
 */
const VERIFIED_TTL_MS = 30_000;
/** At most this many remembered tokens (the oldest go first): memory stays bounded under any load. */
const VERIFIED_MAX = 10_000;

function isClaim(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;
}

/** The algorithm a PEM public key verifies: RS256 for RSA, ES256 for P-256; anything else stops boot. */
function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('JWT_PUBLIC_KEY must be an RSA or P-256 (EC) public key');
}

interface KeyMode {
  getKey: JWTVerifyGetKey;
  algorithms: string[];
  /**
   * For a key known at boot (JWT_SECRET, JWT_PUBLIC_KEY): whether a signature is right,
   * checked synchronously with node:crypto. jose verifies through WebCrypto, whose every call
   * is an async job with a key import (~0.5 ms of the event loop, measured under the abuse
   * scenario's garbage-token flood): forged tokens are refused here first, for a few µs.
   */
  signatureMatches?: (signingInput: string, signature: Buffer) => boolean;
}

/** A synchronous signature check with the PEM key, for the algorithm that key verifies. */
function publicKeySignatureCheck(key: KeyObject, algorithm: string): KeyMode['signatureMatches'] {
  // JWS carries ES256 signatures as r‖s (IEEE P1363), not DER.
  const verifyKey = algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return (signingInput, signature) => {
    try {
      return verify('sha256', Buffer.from(signingInput), verifyKey, signature);
    } catch {
      return false; // a malformed signature is a wrong one
    }
  };
}

/**
 * Verifies bearer JWTs (jose) in exactly one of three modes, chosen at boot: HS256 with
 * JWT_SECRET, RS256/ES256 with JWT_PUBLIC_KEY, or RS256/ES256 against the JWKS at JWT_JWKS_URL
 * (fetched, cached by kid, refetched for an unknown kid at most once per cooldown and after the
 * cache's max age, so a key the provider rotated in is accepted and one it removed stops
 * verifying, without a restart). The algorithm list is pinned per mode, so a public key can
 * never serve as an HMAC secret and `alg: none` is never accepted; `exp` is required;
 * iss and aud are checked when configured.
 */
@Injectable()
export class JwtVerifier {
  private readonly mode: KeyMode;
  private readonly operatorOrgs: ReadonlySet<string>;
  /** Token → who it is and until when that answer holds (see VERIFIED_TTL_MS). */
  private readonly verified = new Map<string, { user: AuthUser; until: number }>();
  private readonly verifiedTtlMs: number;

  constructor(private readonly config: AppConfig) {
    this.mode = JwtVerifier.keyMode(config);
    this.operatorOrgs = new Set(config.ADMIN_ORG_IDS);
    // With a JWKS, a key the provider removed must stop verifying within the key set's own max age.
    this.verifiedTtlMs = config.JWT_JWKS_URL
      ? Math.min(VERIFIED_TTL_MS, config.JWT_JWKS_CACHE_MAX_AGE_MS)
      : VERIFIED_TTL_MS;
  }

  private static keyMode(config: AppConfig): KeyMode {
    if (config.JWT_JWKS_URL) {
      return {
        getKey: createRemoteJWKSet(new URL(config.JWT_JWKS_URL), {
          cooldownDuration: config.JWT_JWKS_COOLDOWN_MS,
          cacheMaxAge: config.JWT_JWKS_CACHE_MAX_AGE_MS,
          timeoutDuration: JWKS_TIMEOUT_MS,
        }),
        algorithms: ['RS256', 'ES256'],
      };
    }
    // KeyObjects built once: parsing a PEM or secret on every request would be waste.
    if (config.JWT_PUBLIC_KEY) {
      const key = createPublicKey(config.JWT_PUBLIC_KEY);
      const algorithm = algorithmOf(key);
      return {
        getKey: () => Promise.resolve(key),
        algorithms: [algorithm],
        signatureMatches: publicKeySignatureCheck(key, algorithm),
      };
    }
    const secret = createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
    return {
      getKey: () => Promise.resolve(secret),
      algorithms: ['HS256'],
      signatureMatches: (signingInput, signature) => {
        const mac = createHmac('sha256', secret).update(signingInput).digest();
        return signature.length === mac.length && timingSafeEqual(signature, mac);
      },
    };
  }

  /**
   * Whether the token is a compact JWS for this deployment's algorithm whose signature is wrong.
   * It only ever refuses what jose would refuse too (jose then checks the same signature over
   * the same input); anything else — another algorithm, a malformed token, a JWKS deployment —
   * is left to jose, so its answers and messages stay the same. Synchronous, so the front door
   * can refuse a flood of forged tokens before any other work (see AnonymousRateLimiter).
   */
  isForged(token: string): boolean {
    const check = this.mode.signatureMatches;
    if (!check) return false;
    const parts = token.split('.');
    if (parts.length !== 3) return false;
    let alg: unknown;
    try {
      alg = (JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown } | null)?.alg;
    } catch {
      return false;
    }
    if (alg !== this.mode.algorithms[0]) return false;
    return !check(`${parts[0]}.${parts[1]}`, Buffer.from(parts[2], 'base64url'));
  }

  async verify(token: string): Promise<AuthUser> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return { ...known.user };
    if (known) this.verified.delete(token);
    const payload = await this.verifyNow(token);
    const user = this.userOf(payload);
    // `exp` is required, so every verified token says when it stops being valid.
    const until = Math.min(now + this.verifiedTtlMs, (payload.exp ?? 0) * 1000);
    if (until > now) {
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, { user: { ...user }, until });
    }
    return user;
  }

  private async verifyNow(token: string): Promise<JWTPayload> {
    if (this.isForged(token)) throw this.refusal(new errors.JWSSignatureVerificationFailed());
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.mode.getKey, {
        algorithms: this.mode.algorithms,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw this.refusal(error);
    }
    return payload;
  }

  /** The token's fault is a 401; the key source's (JWKS unreachable, not a key set) is not, and is rethrown. */
  private refusal(error: unknown): unknown {
    if (error instanceof errors.JWTExpired) return AuthenticationFailed.invalid('Token expired');
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') {
      return AuthenticationFailed.invalid('Token has no expiry (exp)');
    }
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return error;
    if (error instanceof errors.JOSEError) {
      return AuthenticationFailed.invalid(
        error instanceof errors.JWKSNoMatchingKey
          ? 'Token signed with an unknown key'
          : `Invalid token: ${error.message}`,
      );
    }
    return error;
  }

  private userOf(payload: JWTPayload): AuthUser {
    const { sub, org_id: orgId, role = Role.MEMBER } = payload as JWTPayload & { org_id?: unknown; role?: unknown };
    if (!isClaim(sub) || !isClaim(orgId)) {
      throw AuthenticationFailed.invalid('Token must carry sub and org_id claims');
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
    if (!Object.values(Role).includes(role as Role)) {
      throw AuthenticationFailed.invalid(`Unknown role "${String(role)}"`);
    }
    // `admin` means platform operator only for the operator orgs; elsewhere it is the org's own
    // administrator, i.e. an owner of that org, never more.
    const effective = role === Role.ADMIN && !this.operatorOrgs.has(orgId) ? Role.OWNER : (role as Role);
    return { userId: sub, orgId, role: effective };
  }
}
