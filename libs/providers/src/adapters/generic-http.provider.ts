import { ContactField } from '@app/core';
import { malformed } from '../http/provider-http-client';
import type {
  EmailVerificationStatus,
  FoundContactData,
  FoundEmail,
  FoundPhone,
  LeadContext,
  LookupOptions,
  PhoneType,
  ProviderAnswer,
} from '../provider.interface';
import { isEmailAddress, isRecord, toE164, uniqueEmails, uniquePhones } from './contact-mapping';
import { HttpProviderSettings } from './http-provider-settings';
import { HttpVendorProvider } from './http-vendor.provider';

export interface GenericHttpSettings extends HttpProviderSettings {
  /** The header that carries `apiKey`, sent verbatim; no header when the key is empty. */
  authHeader: string;
}

const VERIFICATION_STATUSES: readonly string[] = ['verified', 'likely', 'unverified'];
const PHONE_TYPES: readonly string[] = ['mobile', 'direct', 'office'];

/**
 * A vendor (or an in-house service) that speaks this service's own shape:
 * POST `{field, leads: [LeadContext…]}` → `{results: [{id, emails: [{address,
 * verificationStatus}]} | {id, phones: [{number, type}]}]}`. Leads missing from `results`
 * are not found. `verificationStatus` defaults to unverified and `type` to direct; numbers
 * are normalised to E.164 and dropped when that is not possible.
 */
export class GenericHttpProvider extends HttpVendorProvider<GenericHttpSettings> {
  constructor(name: string, field: ContactField, settings: GenericHttpSettings) {
    // The service's address is part of the credential: one key may serve two deployments.
    super(name, field, settings, { bucket: 'generic-http', credential: [settings.baseUrl, settings.apiKey] });
  }

  async lookup(leads: readonly LeadContext[], options: LookupOptions = {}): Promise<ProviderAnswer> {
    const { apiKey, authHeader, baseUrl } = this.settings;
    const body = await this.client.request({
      method: 'POST',
      url: new URL(baseUrl),
      headers: apiKey ? { [authHeader]: apiKey } : {},
      body: { field: this.field, leads },
      beforeRetry: options.beforeNextRequest,
    });
    if (!isRecord(body) || !Array.isArray(body.results)) throw malformed(this.name, 'expected `results` to be a list');

    const byId = new Map(leads.map((lead) => [lead.id, lead]));
    const answer: ProviderAnswer = new Map();
    body.results.forEach((result: unknown, index) => {
      if (!isRecord(result) || typeof result.id !== 'string') throw malformed(this.name, `result ${index} has no id`);
      const lead = byId.get(result.id);
      // An id that was not asked about is ignored, as the waterfall would.
      if (!lead) return;
      const data =
        this.field === ContactField.EMAILS ? this.emailsOf(result, index) : this.phonesOf(result, index, lead.country);
      if (data) answer.set(lead.id, data);
    });
    return answer;
  }

  private emailsOf(result: Record<string, unknown>, index: number): FoundContactData | null {
    if (!Array.isArray(result.emails)) throw malformed(this.name, `result ${index} has no \`emails\` list`);
    const emails = result.emails.map((entry: unknown): FoundEmail => {
      const status = isRecord(entry) ? (entry.verificationStatus ?? 'unverified') : undefined;
      if (
        !isRecord(entry) ||
        !isEmailAddress(entry.address) ||
        !(typeof status === 'string' && VERIFICATION_STATUSES.includes(status))
      ) {
        throw malformed(this.name, `result ${index} has an email that is not {address, verificationStatus}`);
      }
      return { address: entry.address.toLowerCase(), verificationStatus: status as EmailVerificationStatus };
    });
    const unique = uniqueEmails(emails);
    return unique.length > 0 ? { emails: unique } : null;
  }

  private phonesOf(result: Record<string, unknown>, index: number, country: string): FoundContactData | null {
    if (!Array.isArray(result.phones)) throw malformed(this.name, `result ${index} has no \`phones\` list`);
    const phones: FoundPhone[] = [];
    for (const entry of result.phones as unknown[]) {
      const type = isRecord(entry) ? (entry.type ?? 'direct') : undefined;
      if (
        !isRecord(entry) ||
        typeof entry.number !== 'string' ||
        !(typeof type === 'string' && PHONE_TYPES.includes(type))
      ) {
        throw malformed(this.name, `result ${index} has a phone that is not {number, type}`);
      }
      const number = toE164(entry.number, country);
      if (number) phones.push({ number, type: type as PhoneType });
    }
    const unique = uniquePhones(phones);
    return unique.length > 0 ? { phones: unique } : null;
  }
}
