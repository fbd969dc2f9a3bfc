import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, CONTACT_FIELDS, ContactField } from '@app/core';
import { ProviderAuthError, ProviderError } from './provider.errors';
import type { EnrichmentProvider, FoundContactData, LeadContext, WaterfallResult } from './provider.interface';
import { ProviderRegistry } from './provider.registry';
import { ProviderRateLimiter, RateLimitSlot } from './rate-limit/provider-rate-limiter';
import { CircuitOpenError, ProviderCircuitBreakers } from './resilience/provider-circuit-breakers';
import { ProviderDisableStore } from './resilience/provider-disable-store';

interface Hit {
  data: FoundContactData;
  provider: string;
}

/** What one waterfall run learnt besides the hits. */
interface Run {
  hits: Map<string, Hit>;
  /** Leads some provider answered about (found or not). */
  answered: Set<string>;
  /** Providers passed over because their circuit was open. */
  circuitOpen: string[];
  /** Providers passed over because they are disabled, with why. */
  disabled: string[];
}

/** One enabled provider's state, for /health/ready. */
export interface ProviderHealth {
  name: string;
  field: ContactField;
  /** `disabled`: credentials refused, in every process; `circuit_open`: failing, in this process. */
  state: 'up' | 'disabled' | 'circuit_open';
  reason?: string;
}

/** The providers module's one entry point: ask a field's waterfall about a batch of leads. */
@Injectable()
export class ProvidersService {
  private readonly logger = new Logger(ProvidersService.name);

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly rateLimiter: ProviderRateLimiter,
    private readonly breakers: ProviderCircuitBreakers,
    private readonly disableStore: ProviderDisableStore,
    private readonly config: AppConfig,
  ) {}

  /**
   * Asks the field's providers in waterfall order; each sees only the leads nobody has found
   * yet. Returns one result per input lead, in input order.
   *
   * - A retryable ProviderError (or any unexpected error) is re-thrown so the job retries
   *   with backoff; a non-retryable one (the vendor rejected the request) skips that provider
   *   for this batch.
   * - Refused credentials disable the provider (in every process, see ProviderDisableStore)
   *   and the waterfall moves on: a disabled provider counts as not configured.
   * - A provider whose circuit is open is passed over so the later ones can still find data,
   *   but a lead is never reported "not found" because a provider was down: when leads are
   *   still missing after an open circuit was passed over, or no provider could answer about
   *   a lead at all, the run fails retryably and the job asks again after its backoff (after
   *   JOB_ATTEMPTS the batch fails and its credits are released, as for any failure).
   */
  async runWaterfall(field: ContactField, leads: readonly LeadContext[]): Promise<WaterfallResult[]> {
    const run: Run = { hits: new Map(), answered: new Set(), circuitOpen: [], disabled: [] };
    for (const provider of this.registry.waterfall(field)) {
      const pending = stillMissing(leads, run.hits);
      if (pending.length === 0) break;
      const disabledFor = await this.disableStore.disabledReason(provider);
      if (disabledFor !== null) {
        run.disabled.push(`${provider.name} is disabled (${disabledFor})`);
        continue;
      }
      try {
        await this.ask(provider, pending, run);
      } catch (error) {
        if (error instanceof CircuitOpenError) {
          run.circuitOpen.push(provider.name);
        } else if (error instanceof ProviderAuthError) {
          await this.disableStore.disable(provider, error.message);
          run.disabled.push(`${provider.name} was disabled (${error.message})`);
          this.logger.error(
            `Disabled ${provider.name} for ${this.config.PROVIDER_DISABLE_MS} ms in every process: ${error.message}`,
          );
        } else if (!(error instanceof ProviderError) || error.retryable) {
          throw error;
        } else {
          // The vendor answered that it cannot take these requests: final for this provider, as
          // a "no" would be (only a provider that is down or switched off holds leads back).
          for (const lead of pending) run.answered.add(lead.id);
          this.logger.warn(`Skipping ${provider.name} for ${pending.length} ${field} lookups: ${error.message}`);
        }
      }
    }
    this.refuseUnsettled(field, leads, run);
    return leads.map((lead) => {
      const hit = run.hits.get(lead.id);
      return { leadId: lead.id, data: hit?.data ?? null, provider: hit?.provider ?? null };
    });
  }

  /** Every enabled provider of each field, in waterfall order, with its state. */
  async health(): Promise<ProviderHealth[]> {
    const report: ProviderHealth[] = [];
    for (const field of CONTACT_FIELDS) {
      for (const provider of this.registry.waterfall(field)) {
        const disabledFor = await this.disableStore.disabledReason(provider);
        const openFor = this.breakers.openReason(provider);
        if (disabledFor !== null) report.push({ name: provider.name, field, state: 'disabled', reason: disabledFor });
        else if (openFor !== null) report.push({ name: provider.name, field, state: 'circuit_open', reason: openFor });
        else report.push({ name: provider.name, field, state: 'up' });
      }
    }
    return report;
  }

  /**
   * Sends the leads in batches the provider accepts, through its circuit breaker, one
   * rate-limit token per request (the adapter takes more for retries and extra requests).
   */
  private async ask(provider: EnrichmentProvider, leads: readonly LeadContext[], run: Run): Promise<void> {
    // A slot is held until its request ended (see ProviderRateLimiter): the next request of a
    // lookup (a retry, another page) is asked for only after the previous one ended, so that
    // is when the previous slot is released; the last one when the lookup returns or throws.
    let slot: RateLimitSlot | undefined;
    const releaseSlot = async () => {
      const ended = slot;
      slot = undefined;
      // Best effort: an unreleased slot frees itself when its lease runs out.
      await ended?.release().catch(() => undefined);
    };
    const takeToken = async () => {
      await releaseSlot();
      slot = await this.rateLimiter.acquire(provider.name, provider.rateLimit);
    };
    for (let start = 0; start < leads.length; start += provider.maxBatchSize) {
      const batch = leads.slice(start, start + provider.maxBatchSize);
      // Checked before taking a token, which an open circuit would waste.
      if (!this.breakers.isAvailable(provider)) throw new CircuitOpenError(provider.name);
      await takeToken();
      const answer = await this.breakers.lookup(provider, batch, { beforeNextRequest: takeToken }).finally(releaseSlot);
      // Only the leads asked about count: a stray id in the answer is ignored.
      for (const lead of batch) {
        run.answered.add(lead.id);
        const data = answer.get(lead.id);
        if (data) run.hits.set(lead.id, { data, provider: provider.name });
      }
    }
  }

  /** Fails the run retryably rather than report "not found" for leads no working provider saw. */
  private refuseUnsettled(field: ContactField, leads: readonly LeadContext[], run: Run): void {
    const missing = stillMissing(leads, run.hits);
    if (missing.length === 0) return;
    if (run.circuitOpen.length > 0) {
      throw new ProviderError(
        run.circuitOpen.join(', '),
        `circuit open: ${missing.length} ${field} lookup(s) not found elsewhere are left for a retry, not reported as not found`,
        true,
      );
    }
    const unasked = missing.filter((lead) => !run.answered.has(lead.id)).length;
    if (unasked > 0) {
      throw new ProviderError(
        field,
        `no ${field} provider could be asked about ${unasked} lead(s) (${run.disabled.join('; ') || 'none answered'})`,
        true,
      );
    }
  }
}

/** The leads not found yet, each id once (a duplicate would cost a second lookup). */
function stillMissing(leads: readonly LeadContext[], hits: ReadonlyMap<string, Hit>): LeadContext[] {
  const seen = new Set<string>();
  return leads.filter((lead) => {
    if (hits.has(lead.id) || seen.has(lead.id)) return false;
    seen.add(lead.id);
    return true;
  });
}
