import { AppConfig, AppSetting, ContactField, VENDOR_REQUIRED_SETTING, VendorConfig, VendorName } from '@app/core';
import type { EnrichmentProvider } from '../provider.interface';
import { ApolloProvider } from './apollo.provider';
import { GenericHttpProvider } from './generic-http.provider';
import { HunterProvider } from './hunter.provider';
import type { HttpProviderSettings } from './http-provider-settings';
import { PdlProvider } from './pdl.provider';

/** Each HTTP provider's name and the vendor whose settings it is built from. */
const HTTP_PROVIDERS: readonly (readonly [name: string, vendor: VendorName])[] = [
  ['hunter', 'hunter'],
  ['apollo-emails', 'apollo'],
  ['apollo-phones', 'apollo'],
  ['pdl-emails', 'pdl'],
  ['pdl-phones', 'pdl'],
  ['generic-emails', 'generic'],
  ['generic-phones', 'generic'],
];

/** Each HTTP provider's name, and the setting without which it is not registered. */
export const HTTP_PROVIDER_REQUIREMENTS: ReadonlyMap<string, AppSetting> = new Map(
  HTTP_PROVIDERS.map(([name, vendor]) => [name, VENDOR_REQUIRED_SETTING[vendor]]),
);

/** The HTTP providers whose required setting is missing: name → the setting to set. */
export function missingHttpProviders(config: AppConfig): Map<string, string> {
  return new Map([...HTTP_PROVIDER_REQUIREMENTS].filter(([, setting]) => !config[setting]));
}

/** Every HTTP vendor adapter whose key (or URL) is configured, two per vendor serving both fields. */
export function createHttpProviders(config: AppConfig): EnrichmentProvider[] {
  const vendors = config.vendors;
  const configured = (vendor: VendorName) => Boolean(config[VENDOR_REQUIRED_SETTING[vendor]]);
  const settings = ({ apiKey, baseUrl, timeoutMs, rateLimit, maxBatch }: VendorConfig): HttpProviderSettings => ({
    ...vendors.retry,
    apiKey,
    baseUrl,
    timeoutMs,
    rateLimit,
    maxBatchSize: maxBatch,
  });
  const providers: EnrichmentProvider[] = [];
  if (configured('hunter')) providers.push(new HunterProvider('hunter', settings(vendors.hunter)));
  if (configured('apollo')) {
    const apollo = settings(vendors.apollo);
    providers.push(
      new ApolloProvider('apollo-emails', ContactField.EMAILS, apollo),
      new ApolloProvider('apollo-phones', ContactField.PHONES, apollo),
    );
  }
  if (configured('pdl')) {
    const pdl = settings(vendors.pdl);
    providers.push(
      new PdlProvider('pdl-emails', ContactField.EMAILS, pdl),
      new PdlProvider('pdl-phones', ContactField.PHONES, pdl),
    );
  }
  if (configured('generic')) {
    const generic = { ...settings(vendors.generic), authHeader: vendors.generic.authHeader };
    providers.push(
      new GenericHttpProvider('generic-emails', ContactField.EMAILS, generic),
      new GenericHttpProvider('generic-phones', ContactField.PHONES, generic),
    );
  }
  return providers;
}
