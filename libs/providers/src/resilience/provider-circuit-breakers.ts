import { Injectable, Logger } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { AppConfig } from '@app/core';
import { ProviderError } from '../provider.errors';
import type { EnrichmentProvider, LeadContext, LookupOptions, ProviderAnswer } from '../provider.interface';

/** A call not made because the provider's circuit is open (or its half-open probe is under way). */
export class CircuitOpenError extends Error {
  constructor(readonly provider: string) {
    super(`${provider}: circuit open, not called`);
    this.name = 'CircuitOpenError';
  }
}

type Breaker = CircuitBreaker<[readonly LeadContext[], LookupOptions], ProviderAnswer>;

interface Entry {
  breaker: Breaker;
  lastFailure: string | null;
}

/**
 * One opossum circuit breaker per provider, in this process. Failures that say the vendor is
 * unwell (retryable errors: 429 and 5xx after in-call retries, timeouts, malformed answers,
 * unexpected errors) count; a rejected request or refused credentials do not — the vendor
 * answered, and credentials have their own switch (ProviderDisableStore). Above
 * PROVIDER_CIRCUIT_ERROR_PERCENT of at least PROVIDER_CIRCUIT_MIN_CALLS calls in the rolling
 * window the circuit opens; after PROVIDER_CIRCUIT_RESET_MS one call probes it (half-open),
 * which closes it on success and opens it again on failure.
 *
 * Never shut down on module destroy: a batch still running during a graceful shutdown must be
 * able to finish, and opossum's timers are unref'd, so they do not hold the process open.
 */
@Injectable()
export class ProviderCircuitBreakers {
  private readonly logger = new Logger(ProviderCircuitBreakers.name);
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly config: AppConfig) {}

  /** Whether a call would be let through now (closed, or half-open with no probe under way). */
  isAvailable(provider: EnrichmentProvider): boolean {
    const entry = this.entries.get(provider.name);
    return !entry || entry.breaker.closed || entry.breaker.pendingClose;
  }

  /** For the health view: null when closed, else why it opened. */
  openReason(provider: EnrichmentProvider): string | null {
    const entry = this.entries.get(provider.name);
    if (!entry || entry.breaker.closed) return null;
    const state = entry.breaker.halfOpen ? 'half-open, the next call probes it' : 'open';
    return `${state}; last failure: ${entry.lastFailure ?? 'unknown'}`;
  }

  /** The provider's lookup through its breaker; CircuitOpenError when it may not be called. */
  async lookup(
    provider: EnrichmentProvider,
    leads: readonly LeadContext[],
    options: LookupOptions,
  ): Promise<ProviderAnswer> {
    const { breaker } = this.entry(provider);
    try {
      return await breaker.fire(leads, options);
    } catch (error) {
      if (isOpenBreakerRejection(error)) throw new CircuitOpenError(provider.name);
      throw error;
    }
  }

  private entry(provider: EnrichmentProvider): Entry {
    const existing = this.entries.get(provider.name);
    if (existing) return existing;
    const breaker: Breaker = new CircuitBreaker(
      (leads: readonly LeadContext[], options: LookupOptions) => provider.lookup(leads, options),
      {
        // Calls have their own per-request timeouts; a whole lookup may legitimately take longer.
        timeout: false,
        errorThresholdPercentage: this.config.PROVIDER_CIRCUIT_ERROR_PERCENT,
        volumeThreshold: this.config.PROVIDER_CIRCUIT_MIN_CALLS,
        rollingCountTimeout: this.config.PROVIDER_CIRCUIT_WINDOW_MS,
        resetTimeout: this.config.PROVIDER_CIRCUIT_RESET_MS,
        // true = "not a failure of the vendor".
        errorFilter: (error: unknown) => error instanceof ProviderError && !error.retryable,
      },
    );
    const entry: Entry = { breaker, lastFailure: null };
    breaker.on('failure', (error: unknown) => {
      entry.lastFailure = error instanceof Error ? error.message : String(error);
    });
    breaker.on('open', () => this.logger.warn(`Circuit of ${provider.name} opened: ${entry.lastFailure ?? ''}`));
    breaker.on('halfOpen', () => this.logger.log(`Circuit of ${provider.name} half-open: probing with the next call`));
    breaker.on('close', () => this.logger.log(`Circuit of ${provider.name} closed`));
    this.entries.set(provider.name, entry);
    return entry;
  }
}

function isOpenBreakerRejection(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === 'EOPENBREAKER';
}
