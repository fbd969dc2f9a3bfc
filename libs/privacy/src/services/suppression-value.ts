import { isEmail, isFQDN, isUUID } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidationException } from '@app/core';
import { SuppressionKind } from '../privacy.types';

/** Emails and domains lower-cased, phones in E.164, person ids lower-case uuids; null when the value is not one. */
export function normaliseSuppressionValue(kind: SuppressionKind, raw: string): string | null {
  const value = raw.trim();
  switch (kind) {
    case SuppressionKind.PERSON:
      return isUUID(value) ? value.toLowerCase() : null;
    case SuppressionKind.EMAIL:
      return isEmail(value) ? value.toLowerCase() : null;
    case SuppressionKind.EMAIL_DOMAIN: {
      const domain = value.replace(/^@/, '').toLowerCase();
      return isFQDN(domain) ? domain : null;
    }
    case SuppressionKind.PHONE:
      return normalisePhone(value);
  }
}

/** E.164 from any international notation ("+1 (415) 555-0123"); null when it is not a valid number. */
export function normalisePhone(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim());
  return parsed?.isValid() ? parsed.number : null;
}

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** The same as normaliseSuppressionValue, or a 400 naming `field`. */
export function requireSuppressionValue(kind: SuppressionKind, raw: string, field = 'value'): string {
  const value = normaliseSuppressionValue(kind, raw);
  if (value !== null) return value;
  const expected: Record<SuppressionKind, string> = {
    [SuppressionKind.PERSON]: 'a lead id (uuid)',
    [SuppressionKind.EMAIL]: 'an email address',
    [SuppressionKind.EMAIL_DOMAIN]: 'a domain name',
    [SuppressionKind.PHONE]: 'a phone number in international format (+ and country code)',
  };
  throw new ValidationException(`Invalid ${field}`, {
    fields: [{ field, messages: [`${field} must be ${expected[kind]} for kind ${kind}`] }],
  });
}
