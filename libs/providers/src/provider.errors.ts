/**
 * A provider call that failed. `retryable` errors (timeouts, 429, 5xx) fail the job so the
 * queue retries it with backoff; the rest are final for this provider.
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
