import { ContactField } from '@app/core';
import { malformed } from '../http/provider-http-client';
import type { EmailVerificationStatus, LeadContext, LookupOptions, ProviderAnswer } from '../provider.interface';
import { isEmailAddress, isRecord } from './contact-mapping';
import { endpoint, HttpProviderSettings } from './http-provider-settings';
import { HttpVendorProvider } from './http-vendor.provider';

/** Hunter's verification statuses; `invalid` is not worth storing, unknown ones fall to the score. */
const VERIFICATION: Readonly<Record<string, EmailVerificationStatus | null>> = {
  valid: 'verified',
  accept_all: 'likely',
  invalid: null,
};

/** Hunter's confidence score (0–100) from which an unverified guess counts as likely. */
const LIKELY_SCORE = 70;

/**
 * Hunter Email Finder: GET /v2/email-finder?domain&first_name&last_name&api_key, one person
 * per call → `data.email` (null when not found), `data.score`, `data.verification.status`.
 * Hunter uses its status codes its own way: 403 is its per-second rate limit (retried), 429
 * the plan's usage limit (the provider is disabled until the ban expires), 451 a person who
 * asked not to be processed (not found).
 */
export class HunterProvider extends HttpVendorProvider {
  constructor(name: string, settings: HttpProviderSettings) {
    super(name, ContactField.EMAILS, settings, {
      // The email finder takes one person per request.
      maxLeadsPerCall: 1,
      statuses: {
        403: { outcome: 'throttled', meaning: 'rate limit reached' },
        429: { outcome: 'disable', meaning: 'usage limit of the plan reached' },
        451: { outcome: 'not_found', meaning: 'person opted out' },
      },
    });
  }

  async lookup(leads: readonly LeadContext[], options: LookupOptions = {}): Promise<ProviderAnswer> {
    const answer: ProviderAnswer = new Map();
    for (const [index, lead] of leads.entries()) {
      // Without a domain and a name Hunter can only answer 400: no call, not found.
      if (!lead.companyDomain.trim() || !lead.firstName.trim() || !lead.lastName.trim()) continue;
      // The first request's token was taken by the caller; further ones take their own.
      if (index > 0) await options.beforeNextRequest?.();
      const url = endpoint(this.settings.baseUrl, '/v2/email-finder');
      url.searchParams.set('domain', lead.companyDomain.trim());
      url.searchParams.set('first_name', lead.firstName.trim());
      url.searchParams.set('last_name', lead.lastName.trim());
      url.searchParams.set('api_key', this.settings.apiKey);
      const body = await this.client.request({ method: 'GET', url, beforeRetry: options.beforeNextRequest });
      const email = this.emailFrom(body);
      if (email) answer.set(lead.id, { emails: [email] });
    }
    return answer;
  }

  private emailFrom(body: unknown) {
    if (body === null) return null;
    if (!isRecord(body) || !isRecord(body.data)) throw malformed(this.name, 'expected an object with `data`');
    const { email, score, verification } = body.data;
    if (email === null || email === undefined) return null;
    if (!isEmailAddress(email)) throw malformed(this.name, '`data.email` is not an address');
    const status = isRecord(verification) && typeof verification.status === 'string' ? verification.status : null;
    const mapped = status !== null && status in VERIFICATION ? VERIFICATION[status] : undefined;
    if (mapped === null) return null;
    const verificationStatus: EmailVerificationStatus =
      mapped ?? (typeof score === 'number' && score >= LIKELY_SCORE ? 'likely' : 'unverified');
    return { address: email.toLowerCase(), verificationStatus };
  }
}
