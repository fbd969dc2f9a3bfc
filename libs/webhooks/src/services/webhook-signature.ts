import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' secret prefix; what follows is the key, in base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `whsec_` and the standard base64 of 24 to 64 bytes (Standard Webhooks' recommended key sizes). */
export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return false;
  const encoded = value.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** A new endpoint's secret when its owner gives none: 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * The `Webhook-Signature` value, exactly as the Standard Webhooks specification has it (so
 * its libraries verify our deliveries): `v1,` and the base64 HMAC-SHA256 of
 * `${id}.${timestamp}.${body}` (the `Webhook-Id` header, the `Webhook-Timestamp` header in unix
 * seconds, the body byte for byte), keyed with the secret's base64-decoded part after `whsec_`.
 * Secrets of endpoints registered before this scheme decode the same way (Node's base64 reads
 * the base64url alphabet too), so their key bytes are unchanged.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(
    secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret,
    'base64',
  );
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
