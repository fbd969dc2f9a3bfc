import type { ContactField } from '@app/core';

/** What a provider gets to know about a lead: enough to look it up, nothing more. */
export interface LeadContext {
  id: string;
  firstName: string;
  lastName: string;
  jobTitle: string;
  companyName: string;
  companyDomain: string;
  country: string;
  linkedinUrl: string | null;
}

export type EmailVerificationStatus = 'verified' | 'likely' | 'unverified';

export interface FoundEmail {
  address: string;
  verificationStatus: EmailVerificationStatus;
}

export type PhoneType = 'mobile' | 'direct' | 'office';

export interface FoundPhone {
  /** E.164, e.g. +14155550123. */
  number: string;
  type: PhoneType;
}

/** What is stored in the global cache for one lead and field. */
export type FoundContactData = { emails: FoundEmail[] } | { phones: FoundPhone[] };

/** One provider's answer for one batch: the data per lead id it found; absent means not found. */
export type ProviderAnswer = Map<string, FoundContactData>;

/**
 * An external data source for one field. Adapters (simulated or over HTTP) implement this;
 * the registry orders them into a waterfall per field.
 */
export interface EnrichmentProvider {
  readonly name: string;
  readonly field: ContactField;
  /** The largest batch the provider takes in one call. */
  readonly maxBatchSize: number;
  /** Its own requests per window, across all processes; the global default when absent. */
  readonly rateLimit?: ProviderRateLimit;
  /**
   * A non-secret fingerprint of the credentials in use. A provider disabled for refused
   * credentials is usable again as soon as they change (a new key need not wait out the ban).
   */
  readonly credentialId?: string;
  lookup(leads: readonly LeadContext[], options?: LookupOptions): Promise<ProviderAnswer>;
}

export interface ProviderRateLimit {
  requests: number;
  windowMs: number;
  /**
   * The count it is kept under; defaults to the provider's name. Providers that are one
   * vendor account (apollo-emails and apollo-phones) share a bucket, as the vendor counts.
   */
  bucket?: string;
}

export interface LookupOptions {
  /**
   * Takes another rate-limit token. The caller took one for the lookup's first request; an
   * adapter awaits this before every further request (a retry after a 429, a 5xx or a
   * timeout, or the next of several requests), so each counts against the limit.
   */
  beforeNextRequest?: () => Promise<void>;
}

/** One lead's outcome after the whole waterfall. */
export interface WaterfallResult {
  leadId: string;
  /** Null when no provider found anything. */
  data: FoundContactData | null;
  /** The provider that found the data, null when none did. */
  provider: string | null;
}
