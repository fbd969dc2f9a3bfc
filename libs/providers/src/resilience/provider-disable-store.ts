import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig, RedisConnections } from '@app/core';
import type { EnrichmentProvider } from '../provider.interface';

/**
 * Providers switched off because the vendor refused their credentials (401/403, or an
 * exhausted plan). The switch is a Redis key, `<QUEUE_PREFIX>:provider-disabled:<name>:<credentialId>`,
 * holding the reason and expiring after PROVIDER_DISABLE_MS, so every process skips the
 * provider at once and tries it again (one call) when the key expires. The credential
 * fingerprint is part of the key: deploying a new key re-enables the provider at once, and an
 * operator can re-enable it by deleting the key. The process keeps its own copy too, used
 * when Redis cannot be read.
 */
@Injectable()
export class ProviderDisableStore {
  private readonly logger = new Logger(ProviderDisableStore.name);
  private readonly redis: Redis;
  private readonly local = new Map<string, { reason: string; until: number }>();

  constructor(
    private readonly config: AppConfig,
    connections: RedisConnections,
  ) {
    // One retry per command: a health check must answer from the local copy, not hang.
    this.redis = connections.create('provider-disable-store', { lazyConnect: true, maxRetriesPerRequest: 1 });
  }

  async disable(provider: EnrichmentProvider, reason: string): Promise<void> {
    const key = this.key(provider);
    this.local.set(key, { reason, until: Date.now() + this.config.PROVIDER_DISABLE_MS });
    try {
      await this.redis.set(key, reason, 'PX', this.config.PROVIDER_DISABLE_MS);
    } catch (error) {
      this.logger.warn(`Could not share that ${provider.name} is disabled: ${String(error)}`);
    }
  }

  /** Why the provider is disabled, or null when it may be called. */
  async disabledReason(provider: EnrichmentProvider): Promise<string | null> {
    const key = this.key(provider);
    try {
      const reason = await this.redis.get(key);
      // Redis is the truth: a key deleted by an operator re-enables the provider here too.
      if (reason === null) this.local.delete(key);
      return reason;
    } catch {
      const entry = this.local.get(key);
      return entry && entry.until > Date.now() ? entry.reason : null;
    }
  }

  private key(provider: EnrichmentProvider): string {
    return `${this.config.QUEUE_PREFIX}:provider-disabled:${provider.name}:${provider.credentialId ?? 'none'}`;
  }
}
