import type { ContactField } from '@app/core';
import type { ProviderHttpClient, ProviderHttpClientOptions } from '../http/provider-http-client';
import type {
  EnrichmentProvider,
  LeadContext,
  LookupOptions,
  ProviderAnswer,
  ProviderRateLimit,
} from '../provider.interface';
import { fingerprint } from './contact-mapping';
import { HttpProviderSettings, vendorClient } from './http-provider-settings';

/** What sets one vendor's adapters apart from another's, as far as their construction goes. */
export interface VendorTraits {
  /** The most leads the vendor takes in one call; the configured batch size is capped at it. */
  maxLeadsPerCall?: number;
  /** One rate-limit bucket for all the vendor's providers (its limit is per account, not per field). */
  bucket?: string;
  /** Status codes the vendor uses its own way. */
  statuses?: ProviderHttpClientOptions['statuses'];
  /** What identifies the credential (see EnrichmentProvider.credentialId); the API key by default. */
  credential?: readonly string[];
}

/**
 * What every HTTP vendor adapter is made of — its batch size, rate limit, credential
 * fingerprint and HTTP client — built one way from its settings and the vendor's traits.
 * A subclass adds only how it asks the vendor and reads the answer (`lookup`).
 */
export abstract class HttpVendorProvider<
  S extends HttpProviderSettings = HttpProviderSettings,
> implements EnrichmentProvider {
  readonly maxBatchSize: number;
  readonly rateLimit: ProviderRateLimit;
  readonly credentialId: string;
  protected readonly client: ProviderHttpClient;

  protected constructor(
    readonly name: string,
    readonly field: ContactField,
    protected readonly settings: S,
    traits: VendorTraits = {},
  ) {
    this.maxBatchSize = Math.min(settings.maxBatchSize, traits.maxLeadsPerCall ?? Infinity);
    this.rateLimit = traits.bucket ? { ...settings.rateLimit, bucket: traits.bucket } : settings.rateLimit;
    this.credentialId = fingerprint(...(traits.credential ?? [settings.apiKey]));
    this.client = vendorClient(name, settings, traits.statuses);
  }

  abstract lookup(leads: readonly LeadContext[], options?: LookupOptions): Promise<ProviderAnswer>;
}
