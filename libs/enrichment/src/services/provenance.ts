import type { FoundEmail, FoundPhone } from '@app/providers';

/** Where a stored value came from (GDPR Art. 14): the provider that found it, when, and when it last said so again. */
export interface Provenance {
  source: string;
  foundAt: string;
  lastConfirmedAt: string;
}

/**
 * What the global cache holds for a lead and field: the provider's values, each with its
 * provenance. Rows written before provenance existed were given it by their migration.
 */
export type StoredContactData =
  { emails: (FoundEmail & Partial<Provenance>)[] } | { phones: (FoundPhone & Partial<Provenance>)[] };

/**
 * A provider's answer with each value's provenance: a value the cache already held keeps its
 * original source and foundAt and is confirmed now; a new one is found now by `provider`.
 */
export function withProvenance(
  data: StoredContactData,
  provider: string,
  now: string,
  previous: StoredContactData | undefined,
): StoredContactData {
  const stamp = <T extends FoundEmail | FoundPhone>(value: T & Partial<Provenance>, before?: Partial<Provenance>) => ({
    ...value,
    source: before?.source ?? provider,
    foundAt: before?.foundAt ?? now,
    lastConfirmedAt: now,
  });
  if ('emails' in data) {
    const before = new Map(
      (previous && 'emails' in previous ? previous.emails : []).map((e) => [e.address.toLowerCase(), e]),
    );
    return { emails: data.emails.map((email) => stamp(email, before.get(email.address.toLowerCase()))) };
  }
  const before = new Map((previous && 'phones' in previous ? previous.phones : []).map((p) => [p.number, p]));
  return { phones: data.phones.map((phone) => stamp(phone, before.get(phone.number))) };
}
