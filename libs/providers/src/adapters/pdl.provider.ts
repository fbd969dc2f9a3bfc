import { ContactField } from '@app/core';
import { malformed } from '../http/provider-http-client';
import type {
  FoundContactData,
  FoundEmail,
  FoundPhone,
  LeadContext,
  LookupOptions,
  ProviderAnswer,
} from '../provider.interface';
import { isEmailAddress, isRecord, toE164, uniqueEmails, uniquePhones } from './contact-mapping';
import { endpoint, HttpProviderSettings } from './http-provider-settings';
import { HttpVendorProvider } from './http-vendor.provider';

/**
 * People Data Labs bulk person enrichment: POST /v5/person/bulk with `X-Api-Key`, up to 100
 * `requests` of `{params}` per call → a JSON array, one `{status, data}` per request in order
 * (status 404: no match). Each request carries `metadata.lead_id`, which PDL echoes back, so
 * answers are matched by id when present and by position otherwise. PDL does not verify
 * addresses: `work_email` counts as likely, other professional addresses as unverified,
 * personal ones are left out. Its untyped `phone_numbers` count as direct lines. On plans
 * without a field PDL sends `true` in its place; anything but a string is skipped.
 */
export class PdlProvider extends HttpVendorProvider {
  constructor(name: string, field: ContactField, settings: HttpProviderSettings) {
    super(name, field, settings, {
      maxLeadsPerCall: 100,
      bucket: 'pdl',
      statuses: { 402: { outcome: 'disable', meaning: 'account credits exhausted' } },
    });
  }

  async lookup(leads: readonly LeadContext[], options: LookupOptions = {}): Promise<ProviderAnswer> {
    const body = await this.client.request({
      method: 'POST',
      url: endpoint(this.settings.baseUrl, '/v5/person/bulk'),
      headers: { 'x-api-key': this.settings.apiKey },
      body: {
        requests: leads.map((lead) => ({
          metadata: { lead_id: lead.id },
          params: {
            first_name: lead.firstName,
            last_name: lead.lastName,
            company: lead.companyDomain || lead.companyName,
            ...(lead.linkedinUrl ? { profile: lead.linkedinUrl } : {}),
          },
        })),
      },
      beforeRetry: options.beforeNextRequest,
    });
    if (!Array.isArray(body)) throw malformed(this.name, 'expected a list of responses');
    if (body.length !== leads.length)
      throw malformed(this.name, `${body.length} responses for ${leads.length} requests`);

    const byId = new Map(leads.map((lead) => [lead.id, lead]));
    const answer: ProviderAnswer = new Map();
    body.forEach((item: unknown, index) => {
      if (!isRecord(item) || typeof item.status !== 'number')
        throw malformed(this.name, `response ${index} has no status`);
      const echoed = isRecord(item.metadata) ? item.metadata.lead_id : undefined;
      const lead = typeof echoed === 'string' ? byId.get(echoed) : leads[index];
      if (!lead) throw malformed(this.name, `response ${index} names a lead that was not asked about`);
      if (item.status === 429 || item.status >= 500) {
        throw malformed(this.name, `response ${index} failed with ${item.status}`);
      }
      // 404 is "no match"; another 4xx is about that one request (say, too little to match on).
      if (item.status !== 200) return;
      if (!isRecord(item.data)) throw malformed(this.name, `response ${index} has status 200 but no data`);
      const data = this.field === ContactField.EMAILS ? emailsOf(item.data) : phonesOf(item.data, lead.country);
      if (data) answer.set(lead.id, data);
    });
    return answer;
  }
}

function emailsOf(person: Record<string, unknown>): FoundContactData | null {
  const emails: FoundEmail[] = [];
  if (isEmailAddress(person.work_email)) {
    emails.push({ address: person.work_email.toLowerCase(), verificationStatus: 'likely' });
  }
  for (const entry of Array.isArray(person.emails) ? person.emails : []) {
    if (!isRecord(entry) || !isEmailAddress(entry.address)) continue;
    if (entry.type !== 'professional' && entry.type !== 'current_professional') continue;
    emails.push({ address: entry.address.toLowerCase(), verificationStatus: 'unverified' });
  }
  const unique = uniqueEmails(emails);
  return unique.length > 0 ? { emails: unique } : null;
}

function phonesOf(person: Record<string, unknown>, country: string): FoundContactData | null {
  const phones: FoundPhone[] = [];
  const mobile = typeof person.mobile_phone === 'string' ? toE164(person.mobile_phone, country) : null;
  if (mobile) phones.push({ number: mobile, type: 'mobile' });
  for (const raw of Array.isArray(person.phone_numbers) ? person.phone_numbers : []) {
    const number = typeof raw === 'string' ? toE164(raw, country) : null;
    if (number) phones.push({ number, type: 'direct' });
  }
  const unique = uniquePhones(phones);
  return unique.length > 0 ? { phones: unique } : null;
}
