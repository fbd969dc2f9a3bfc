import type { AppConfig, AppSetting } from './app-config';

/** One HTTP vendor's settings, as its adapters are built with them. */
export interface VendorConfig {
  /** Empty: the vendor is not registered (for the generic adapter, `baseUrl` decides). */
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  /** Requests accepted per window, across every worker process. */
  rateLimit: { requests: number; windowMs: number };
  /** Leads per call the vendor takes. */
  maxBatch: number;
}

/** The retry policy every vendor call shares. */
export interface VendorRetryConfig {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** The flat HUNTER_* / APOLLO_* / PDL_* / GENERIC_HTTP_* variables, grouped per vendor. */
export interface VendorsConfig {
  retry: VendorRetryConfig;
  hunter: VendorConfig;
  apollo: VendorConfig;
  pdl: VendorConfig;
  generic: VendorConfig & { authHeader: string };
}

export type VendorName = Exclude<keyof VendorsConfig, 'retry'>;

/**
 * The setting without which each vendor is not registered (its key; the generic adapter's URL,
 * its key being optional), named in the boot error when PROVIDERS_* lists it anyway.
 */
export const VENDOR_REQUIRED_SETTING: Readonly<Record<VendorName, AppSetting>> = {
  hunter: 'HUNTER_API_KEY',
  apollo: 'APOLLO_API_KEY',
  pdl: 'PDL_API_KEY',
  generic: 'GENERIC_HTTP_URL',
};

/** Builds the grouped view; `AppConfig.vendors` is the way to read it. */
export function vendorsView(config: AppConfig): VendorsConfig {
  return {
    retry: {
      maxAttempts: config.PROVIDER_MAX_ATTEMPTS,
      retryBaseMs: config.PROVIDER_RETRY_BASE_MS,
      retryMaxMs: config.PROVIDER_RETRY_MAX_MS,
    },
    hunter: {
      apiKey: config.HUNTER_API_KEY,
      baseUrl: config.HUNTER_BASE_URL,
      timeoutMs: config.HUNTER_TIMEOUT_MS,
      rateLimit: { requests: config.HUNTER_RATE_LIMIT, windowMs: config.HUNTER_RATE_WINDOW_MS },
      // Hunter's email finder takes one person per request: there is no batch setting.
      maxBatch: 1,
    },
    apollo: {
      apiKey: config.APOLLO_API_KEY,
      baseUrl: config.APOLLO_BASE_URL,
      timeoutMs: config.APOLLO_TIMEOUT_MS,
      rateLimit: { requests: config.APOLLO_RATE_LIMIT, windowMs: config.APOLLO_RATE_WINDOW_MS },
      maxBatch: config.APOLLO_MAX_BATCH,
    },
    pdl: {
      apiKey: config.PDL_API_KEY,
      baseUrl: config.PDL_BASE_URL,
      timeoutMs: config.PDL_TIMEOUT_MS,
      rateLimit: { requests: config.PDL_RATE_LIMIT, windowMs: config.PDL_RATE_WINDOW_MS },
      maxBatch: config.PDL_MAX_BATCH,
    },
    generic: {
      apiKey: config.GENERIC_HTTP_API_KEY,
      authHeader: config.GENERIC_HTTP_AUTH_HEADER,
      baseUrl: config.GENERIC_HTTP_URL,
      timeoutMs: config.GENERIC_HTTP_TIMEOUT_MS,
      rateLimit: { requests: config.GENERIC_HTTP_RATE_LIMIT, windowMs: config.GENERIC_HTTP_RATE_WINDOW_MS },
      maxBatch: config.GENERIC_HTTP_MAX_BATCH,
    },
  };
}
