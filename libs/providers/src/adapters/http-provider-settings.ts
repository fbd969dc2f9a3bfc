import type { ProviderRateLimit } from '../provider.interface';

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

/** The vendor's base URL and a path under it; a base URL with a path prefix (a proxy) is kept. */
export function endpoint(baseUrl: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}
