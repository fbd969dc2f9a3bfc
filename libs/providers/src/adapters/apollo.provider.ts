import { ContactField } from '@app/core';
import { malformed } from '../http/provider-http-client';
import type {
  EmailVerificationStatus,
  FoundContactData,
  FoundPhone,
  LeadContext,
  LookupOptions,
  PhoneType,
  ProviderAnswer,
} from '../provider.interface';
import { isEmailAddress, isRecord, toE164, uniquePhones } from './contact-mapping';
import { endpoint, HttpProviderSettings } from './http-provider-settings';
import { HttpVendorProvider } from './http-vendor.provider';

/** Apollo's `email_status`; statuses meaning "no usable address" are dropped. */
const EMAIL_STATUS: Readonly<Record<string, EmailVerificationStatus | null>> = {
  verified: 'verified',
  extrapolated: 'likely',
  'likely to engage': 'likely',
  guessed: 'unverified',
  unverified: 'unverified',
  unavailable: null,
  bounced: null,
};

/** Apollo's phone types; home numbers are personal, not business contact data. */
const PHONE_TYPE: Readonly<Record<string, PhoneType | null>> = {
  mobile: 'mobile',
  work_direct: 'direct',
  work_hq: 'office',
  home: null,
};

/** Apollo answers a locked address with a placeholder such as email_not_unlocked@domain.com. */
const LOCKED_EMAIL = /^email_not_unlocked@/i;

/**
 * Apollo bulk people match: POST /api/v1/people/bulk_match with `x-api-key`, up to 10
 * `details` per call → `matches[]`, one per detail in order (null where nobody matched).
 * Serves both fields; each field is its own provider (`apollo-emails`, `apollo-phones`)
 * sharing the key and one rate-limit bucket. Phones are the numbers Apollo returns in the
 * match itself: mobile numbers revealed with `reveal_phone_number` are delivered later to a
 * webhook, which this service does not run, so that flag is not sent.
 */
export class ApolloProvider extends HttpVendorProvider {
  constructor(name: string, field: ContactField, settings: HttpProviderSettings) {
    super(name, field, settings, { maxLeadsPerCall: 10, bucket: 'apollo' });
  }

  async lookup(leads: readonly LeadContext[], options: LookupOptions = {}): Promise<ProviderAnswer> {
    const body = await this.client.request({
      method: 'POST',
      url: endpoint(this.settings.baseUrl, '/api/v1/people/bulk_match'),
      headers: { 'x-api-key': this.settings.apiKey, 'cache-control': 'no-cache' },
      body: {
        details: leads.map((lead) => ({
          first_name: lead.firstName,
          last_name: lead.lastName,
          ...(lead.companyDomain ? { domain: lead.companyDomain } : {}),
          ...(lead.companyName ? { organization_name: lead.companyName } : {}),
          ...(lead.linkedinUrl ? { linkedin_url: lead.linkedinUrl } : {}),
        })),
        reveal_personal_emails: false,
      },
      beforeRetry: options.beforeNextRequest,
    });
    if (!isRecord(body) || !Array.isArray(body.matches)) throw malformed(this.name, 'expected `matches` to be a list');
    if (body.matches.length !== leads.length) {
      throw malformed(this.name, `${body.matches.length} matches for ${leads.length} people`);
    }
    const answer: ProviderAnswer = new Map();
    body.matches.forEach((match: unknown, index) => {
      if (match === null) return;
      if (!isRecord(match)) throw malformed(this.name, `match ${index} is not an object or null`);
      const lead = leads[index];
      const data = this.field === ContactField.EMAILS ? emailOf(match) : phonesOf(match, lead.country);
      if (data) answer.set(lead.id, data);
    });
    return answer;
  }
}

function emailOf(person: Record<string, unknown>): FoundContactData | null {
  const { email, email_status: status } = person;
  if (!isEmailAddress(email) || LOCKED_EMAIL.test(email)) return null;
  const mapped = typeof status === 'string' ? EMAIL_STATUS[status.toLowerCase()] : undefined;
  if (mapped === null) return null;
  return { emails: [{ address: email.toLowerCase(), verificationStatus: mapped ?? 'unverified' }] };
}

function phonesOf(person: Record<string, unknown>, country: string): FoundContactData | null {
  const numbers = Array.isArray(person.phone_numbers) ? person.phone_numbers : [];
  const phones: FoundPhone[] = [];
  for (const entry of numbers) {
    if (!isRecord(entry)) continue;
    const raw = typeof entry.sanitized_number === 'string' ? entry.sanitized_number : entry.raw_number;
    const type = typeof entry.type === 'string' ? PHONE_TYPE[entry.type] : undefined;
    if (typeof raw !== 'string' || type === null) continue;
    const number = toE164(raw, country);
    if (number) phones.push({ number, type: type ?? 'direct' });
  }
  const unique = uniquePhones(phones);
  return unique.length > 0 ? { phones: unique } : null;
}
