import { AppConfig, ContactField } from '@app/core';
import type { EnrichmentProvider } from '../provider.interface';
import { ApolloProvider } from './apollo.provider';
import { GenericHttpProvider } from './generic-http.provider';
import { HunterProvider } from './hunter.provider';
import type { HttpProviderSettings } from './http-provider-settings';
import { PdlProvider } from './pdl.provider';

/** Each HTTP provider's name, and the setting without which it is not registered. */
export const HTTP_PROVIDER_REQUIREMENTS: ReadonlyMap<string, keyof AppConfig> = new Map<string, keyof AppConfig>([
  ['hunter', 'HUNTER_API_KEY'],
  ['apollo-emails', 'APOLLO_API_KEY'],
  ['apollo-phones', 'APOLLO_API_KEY'],
  ['pdl-emails', 'PDL_API_KEY'],
  ['pdl-phones', 'PDL_API_KEY'],
  ['generic-emails', 'GENERIC_HTTP_URL'],
  ['generic-phones', 'GENERIC_HTTP_URL'],
]);

/** The HTTP providers whose required setting is missing: name → the setting to set. */
export function missingHttpProviders(config: AppConfig): Map<string, string> {
  return new Map([...HTTP_PROVIDER_REQUIREMENTS].filter(([, setting]) => !config[setting]));
}

/** Every HTTP vendor adapter whose key (or URL) is configured, two per vendor serving both fields. */
export function createHttpProviders(config: AppConfig): EnrichmentProvider[] {
  const shared = {
    maxAttempts: config.PROVIDER_MAX_ATTEMPTS,
    retryBaseMs: config.PROVIDER_RETRY_BASE_MS,
    retryMaxMs: config.PROVIDER_RETRY_MAX_MS,
  };
  const providers: EnrichmentProvider[] = [];

  if (config.HUNTER_API_KEY) {
    providers.push(
      new HunterProvider('hunter', {
        ...shared,
        apiKey: config.HUNTER_API_KEY,
        baseUrl: config.HUNTER_BASE_URL,
        timeoutMs: config.HUNTER_TIMEOUT_MS,
        rateLimit: { requests: config.HUNTER_RATE_LIMIT, windowMs: config.HUNTER_RATE_WINDOW_MS },
        maxBatchSize: 1,
      }),
    );
  }
  if (config.APOLLO_API_KEY) {
    const settings: HttpProviderSettings = {
      ...shared,
      apiKey: config.APOLLO_API_KEY,
      baseUrl: config.APOLLO_BASE_URL,
      timeoutMs: config.APOLLO_TIMEOUT_MS,
      rateLimit: { requests: config.APOLLO_RATE_LIMIT, windowMs: config.APOLLO_RATE_WINDOW_MS },
      maxBatchSize: config.APOLLO_MAX_BATCH,
    };
    providers.push(
      new ApolloProvider('apollo-emails', ContactField.EMAILS, settings),
      new ApolloProvider('apollo-phones', ContactField.PHONES, settings),
    );
  }
  if (config.PDL_API_KEY) {
    const settings: HttpProviderSettings = {
      ...shared,
      apiKey: config.PDL_API_KEY,
      baseUrl: config.PDL_BASE_URL,
      timeoutMs: config.PDL_TIMEOUT_MS,
      rateLimit: { requests: config.PDL_RATE_LIMIT, windowMs: config.PDL_RATE_WINDOW_MS },
      maxBatchSize: config.PDL_MAX_BATCH,
    };
    providers.push(
      new PdlProvider('pdl-emails', ContactField.EMAILS, settings),
      new PdlProvider('pdl-phones', ContactField.PHONES, settings),
    );
  }
  if (config.GENERIC_HTTP_URL) {
    const settings = {
      ...shared,
      apiKey: config.GENERIC_HTTP_API_KEY,
      authHeader: config.GENERIC_HTTP_AUTH_HEADER,
      baseUrl: config.GENERIC_HTTP_URL,
      timeoutMs: config.GENERIC_HTTP_TIMEOUT_MS,
      rateLimit: { requests: config.GENERIC_HTTP_RATE_LIMIT, windowMs: config.GENERIC_HTTP_RATE_WINDOW_MS },
      maxBatchSize: config.GENERIC_HTTP_MAX_BATCH,
    };
    providers.push(
      new GenericHttpProvider('generic-emails', ContactField.EMAILS, settings),
      new GenericHttpProvider('generic-phones', ContactField.PHONES, settings),
    );
  }
  return providers;
}
