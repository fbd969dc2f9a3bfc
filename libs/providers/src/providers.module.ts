import { Module } from '@nestjs/common';
import { AppConfig } from '@app/core';
import type { EnrichmentProvider } from './provider.interface';
import { ENRICHMENT_PROVIDERS, ProviderRegistry } from './provider.registry';
import { ProvidersService } from './providers.service';
import { ProviderRateLimiter } from './rate-limit/provider-rate-limiter';
import { createSimulatedProviders } from './simulated/simulated.provider';

/** Provider adapters, their waterfall order and rate limits, behind `ProvidersService`. */
@Module({
  providers: [
    {
      provide: ENRICHMENT_PROVIDERS,
      inject: [AppConfig],
      // A new vendor adapter is one more entry here (and one more name in PROVIDERS_*).
      useFactory: (config: AppConfig): EnrichmentProvider[] => [...createSimulatedProviders(config)],
    },
    ProviderRegistry,
    ProviderRateLimiter,
    ProvidersService,
  ],
  exports: [ProvidersService],
})
export class ProvidersModule {}
