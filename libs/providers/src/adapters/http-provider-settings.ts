import type { ProviderRateLimit } from '../provider.interface';
import { ProviderHttpClient, ProviderHttpClientOptions } from '../http/provider-http-client';

/** What every HTTP adapter is built with; createHttpProviders fills it from the configuration. */
export interface HttpProviderSettings {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  rateLimit: ProviderRateLimit;
  maxBatchSize: number;
}

/** The HTTP client every vendor adapter uses: its settings, its key kept out of error messages. */
export function vendorClient(
  provider: string,
  settings: Pick<HttpProviderSettings, 'timeoutMs' | 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs'> & {
    apiKey?: string;
  },
  statuses?: ProviderHttpClientOptions['statuses'],
): ProviderHttpClient {
  return new ProviderHttpClient({
    provider,
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    retryMaxMs: settings.retryMaxMs,
    secrets: settings.apiKey ? [settings.apiKey] : [],
    statuses,
  });
}

/** The vendor's base URL and a path under it; a base URL with a path prefix (a proxy) is kept. */
export function endpoint(baseUrl: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}
