/** What a suppression entry names: a lead, one email, every email at a domain, or one phone. */
export enum SuppressionKind {
  PERSON = 'person',
  EMAIL = 'email',
  EMAIL_DOMAIN = 'email_domain',
  PHONE = 'phone',
}

/** Which list: the platform's (admin console, applies to every org) or one org's do-not-enrich list. */
export type SuppressionScope = { platform: true } | { platform: false; orgId: string };

export interface NewSuppression {
  kind: SuppressionKind;
  value: string;
  reason: string;
  createdBy: string;
}

export interface SuppressionView {
  id: string;
  kind: SuppressionKind;
  value: string;
  reason: string;
  /** null for the platform-wide list. */
  orgId: string | null;
  createdBy: string;
  createdAt: string;
}

export interface SuppressionListQuery {
  kind?: SuppressionKind;
  page: number;
  size: number;
}

/** One contact value as stored: an email (`address`) or a phone (`number`), with whatever else it carries. */
export interface ContactValue {
  address?: string;
  number?: string;
}

/** A lead's found data for one field, as enrichment stores it: `{emails: [...]}` or `{phones: [...]}`. */
export type ContactValues = { emails: ContactValue[] } | { phones: ContactValue[] };

/** What an erasure matched and removed: its receipt. */
export interface ErasureReceipt {
  id: string;
  matched: { personIds: string[]; email: string | null; phone: string | null };
  /** Org enrichments whose found data was removed. */
  records: number;
  /** Organisations that held any of it (each got a `contact.erased` event). */
  orgs: number;
  /** Global cache entries removed. */
  cacheEntries: number;
  requestedBy: string;
  completedAt: string;
}
