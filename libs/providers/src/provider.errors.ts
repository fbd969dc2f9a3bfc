/**
 * A provider call that failed. `retryable` errors (timeouts, 429, 5xx, malformed answers)
 * fail the job so the queue retries it with backoff; the rest are final for this provider
 * and this batch.
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}

/**
 * The vendor refused the credentials (401/403, or what that vendor uses for "your key or plan
 * cannot do this"). No retry can succeed until an operator acts, so the waterfall disables the
 * provider in every process and moves on.
 */
export class ProviderAuthError extends ProviderError {
  constructor(provider: string, message: string) {
    super(provider, message, false);
    this.name = 'ProviderAuthError';
  }
}
