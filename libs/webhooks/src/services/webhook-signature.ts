import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of the secrets we generate, so a leaked one is recognisable in code scanners. */
const SECRET_PREFIX = 'whsec_';

/** 32 random bytes, base64url: what an endpoint gets when its owner gives no secret. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The `Webhook-Signature` value: `v1=` + hex HMAC-SHA256, keyed with the secret's UTF-8
 * bytes, over `${timestamp}.${body}` (timestamp in unix seconds, body byte for byte).
 * Signing the timestamp lets receivers refuse replays of old deliveries.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The receiver's side, as the README describes it (also used by the tests). */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  return header
    .split(/\s*,\s*/)
    .map((candidate) => Buffer.from(candidate))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}
