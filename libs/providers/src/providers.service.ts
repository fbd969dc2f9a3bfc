import { Injectable, Logger } from '@nestjs/common';
import type { ContactField } from '@app/core';
import { ProviderError } from './provider.errors';
import type { EnrichmentProvider, FoundContactData, LeadContext, WaterfallResult } from './provider.interface';
import { ProviderRegistry } from './provider.registry';
import { ProviderRateLimiter } from './rate-limit/provider-rate-limiter';

interface Hit {
  data: FoundContactData;
  provider: string;
}

/** The providers module's one entry point: ask a field's waterfall about a batch of leads. */
@Injectable()
export class ProvidersService {
  private readonly logger = new Logger(ProvidersService.name);

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly rateLimiter: ProviderRateLimiter,
  ) {}

  /**
   * Asks the field's providers in waterfall order; each sees only the leads nobody has found
   * yet. Returns one result per input lead, in input order.
   *
   * A retryable ProviderError (or any unexpected error) is re-thrown so the job retries with
   * backoff; a non-retryable one skips that provider for this batch.
   */
  async runWaterfall(field: ContactField, leads: readonly LeadContext[]): Promise<WaterfallResult[]> {
    const hits = new Map<string, Hit>();
    for (const provider of this.registry.waterfall(field)) {
      const pending = stillMissing(leads, hits);
      if (pending.length === 0) break;
      try {
        await this.ask(provider, pending, hits);
      } catch (error) {
        if (!(error instanceof ProviderError) || error.retryable) throw error;
        this.logger.warn(`Skipping ${provider.name} for ${pending.length} ${field} lookups: ${error.message}`);
      }
    }
    return leads.map((lead) => {
      const hit = hits.get(lead.id);
      return { leadId: lead.id, data: hit?.data ?? null, provider: hit?.provider ?? null };
    });
  }

  /** Sends the leads in batches the provider accepts, one rate-limit token per call. */
  private async ask(
    provider: EnrichmentProvider,
    leads: readonly LeadContext[],
    hits: Map<string, Hit>,
  ): Promise<void> {
    for (let start = 0; start < leads.length; start += provider.maxBatchSize) {
      const batch = leads.slice(start, start + provider.maxBatchSize);
      await this.rateLimiter.acquire(provider.name);
      const answer = await provider.lookup(batch);
      // Only the leads asked about count: a stray id in the answer is ignored.
      for (const lead of batch) {
        const data = answer.get(lead.id);
        if (data) hits.set(lead.id, { data, provider: provider.name });
      }
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
