import { Module } from '@nestjs/common';
import { AppConfig, RedisModule } from '@app/core';
import { createHttpProviders, missingHttpProviders } from './adapters/create-http-providers';
import type { EnrichmentProvider } from './provider.interface';
import { ENRICHMENT_PROVIDERS, ProviderRegistry, UNCONFIGURED_PROVIDERS } from './provider.registry';
import { ProvidersService } from './providers.service';
import { ProviderRateLimiter } from './rate-limit/provider-rate-limiter';
import { ProviderCircuitBreakers } from './resilience/provider-circuit-breakers';
import { ProviderDisableStore } from './resilience/provider-disable-store';
import { createSimulatedProviders } from './simulated/simulated.provider';

/** Provider adapters, their waterfall order, rate limits and circuit breakers, behind `ProvidersService`. */
@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: ENRICHMENT_PROVIDERS,
      inject: [AppConfig],
      // A new vendor adapter is one more entry here (and one more name in PROVIDERS_*).
      useFactory: (config: AppConfig): EnrichmentProvider[] => [
        ...createSimulatedProviders(config),
        ...createHttpProviders(config),
      ],
    },
    {
      provide: UNCONFIGURED_PROVIDERS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ReadonlyMap<string, string> => missingHttpProviders(config),
    },
    ProviderRegistry,
    ProviderRateLimiter,
    ProviderCircuitBreakers,
    ProviderDisableStore,
    ProvidersService,
  ],
  exports: [ProvidersService],
})
export class ProvidersModule {}
