import { createHash, randomBytes } from 'node:crypto';

/**
 * Every secret starts with this, so secret scanners (and people) recognise a leaked one, and a
 * bearer credential is told apart from a JWT without parsing it.
 */
export const API_KEY_PREFIX = 'ce_live_';

/** 32 random bytes, base64url: 43 characters after the prefix. */
const SECRET_BYTES = 32;
const SECRET_PATTERN = /^ce_live_[A-Za-z0-9_-]{43}$/;

/** How much of the secret is shown in listings to tell keys apart: the prefix and 6 characters (36 bits). */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export interface ApiKeySecret {
  secret: string;
  hash: string;
  displayPrefix: string;
}

export function generateApiKeySecret(): ApiKeySecret {
  const secret = `${API_KEY_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { secret, hash: hashApiKeySecret(secret), displayPrefix: secret.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/**
 * SHA-256, not a slow password hash: the secret has 256 random bits, so nothing can be guessed,
 * and a deterministic hash is what lets a key be found by an index lookup instead of comparing
 * the presented secret with every stored one.
 */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether a credential looks like one of our keys (then it is never parsed as a JWT). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

export function isWellFormedApiKey(credential: string): boolean {
  return SECRET_PATTERN.test(credential);
}
