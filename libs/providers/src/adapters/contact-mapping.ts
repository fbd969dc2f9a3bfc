import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js';
import type { FoundEmail, FoundPhone } from '../provider.interface';

const NANP_COUNTRIES = new Set(['unitedstates', 'unitedstatesofamerica', 'usa', 'us', 'canada', 'ca']);
const EXTENSION = /\s*(ext\.?|x|#)\s*\d+\s*$/i;

/**
 * A vendor's phone number in E.164, or null when it is not a valid number (libphonenumber's
 * metadata: the country's lengths and ranges) or cannot be read without guessing. Numbers with
 * a `+` or `00` prefix carry their country; national numbers are only read for NANP (10
 * digits, or 11 starting with 1), the one plan where the digits alone are unambiguous enough
 * given the lead's country — elsewhere many plans would accept the same digits.
 */
export function toE164(raw: string, country: string): string | null {
  const main = raw.replace(EXTENSION, '').trim();
  const digits = main.replace(/\D/g, '');
  let parsed: PhoneNumber | undefined;
  if (main.startsWith('+')) parsed = parsePhoneNumberFromString(main);
  else if (digits.startsWith('00')) parsed = parsePhoneNumberFromString(`+${digits.slice(2)}`);
  else if (digits.length === 11 && digits.startsWith('1')) parsed = parsePhoneNumberFromString(`+${digits}`);
  else if (digits.length === 10 && NANP_COUNTRIES.has(country.toLowerCase().replace(/[^a-z]/g, ''))) {
    parsed = parsePhoneNumberFromString(`+1${digits}`);
  }
  return parsed?.isValid() ? parsed.number : null;
}

/** A stored or produced number is valid E.164 by libphonenumber's metadata (not just `+` and digits). */
export function isE164(value: string): boolean {
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.isValid() && parsed.number === value;
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
