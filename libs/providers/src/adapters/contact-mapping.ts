import { createHash } from 'node:crypto';
import type { FoundEmail, FoundPhone } from '../provider.interface';

const NANP_COUNTRIES = new Set(['unitedstates', 'unitedstatesofamerica', 'usa', 'us', 'canada', 'ca']);
const E164 = /^\+[1-9]\d{7,14}$/;

/**
 * A vendor's phone number in E.164, or null when it cannot be made one without guessing.
 * Numbers with a `+` or `00` prefix carry their country; national numbers are only read for
 * NANP (10 digits, or 11 starting with 1), the one plan where the digits alone are unambiguous
 * enough given the lead's country.
 */
export function toE164(raw: string, country: string): string | null {
  const withoutExtension = raw.replace(/\s*(ext\.?|x|#)\s*\d+\s*$/i, '').trim();
  const digits = withoutExtension.replace(/\D/g, '');
  let candidate: string | null = null;
  if (withoutExtension.startsWith('+')) candidate = `+${digits}`;
  else if (digits.startsWith('00')) candidate = `+${digits.slice(2)}`;
  else if (digits.length === 11 && digits.startsWith('1')) candidate = `+${digits}`;
  else if (digits.length === 10 && NANP_COUNTRIES.has(country.toLowerCase().replace(/[^a-z]/g, ''))) {
    candidate = `+1${digits}`;
  }
  return candidate !== null && E164.test(candidate) ? candidate : null;
}

/** Keeps the first of each address (case-insensitive) or number: vendors repeat themselves. */
export function uniqueEmails(emails: FoundEmail[]): FoundEmail[] {
  const seen = new Set<string>();
  return emails.filter((email) => {
    const key = email.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function uniquePhones(phones: FoundPhone[]): FoundPhone[] {
  const seen = new Set<string>();
  return phones.filter((phone) => !seen.has(phone.number) && seen.add(phone.number));
}

/** Loose enough for what vendors return, strict enough to keep placeholders and junk out. */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, non-reversible id of a credential (see EnrichmentProvider.credentialId). */
export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12);
}
