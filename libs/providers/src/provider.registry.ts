import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { AppConfig, CONTACT_FIELDS, ContactField } from '@app/core';
import type { EnrichmentProvider } from './provider.interface';

/**
 * Every provider instance the app knows, enabled or not. Bound to an array so that adding a
 * vendor adapter is one more entry in the module's factory; the registry picks from it by name.
 */
export const ENRICHMENT_PROVIDERS = Symbol('ENRICHMENT_PROVIDERS');

/**
 * Providers the app has an adapter for but that are not registered for want of a setting
 * (an API key): name → that setting, so naming one in PROVIDERS_* says what is missing.
 */
export const UNCONFIGURED_PROVIDERS = Symbol('UNCONFIGURED_PROVIDERS');

/** The setting that lists, in waterfall order, the enabled providers of each field. */
const WATERFALL_SETTING: Record<ContactField, 'PROVIDERS_EMAILS' | 'PROVIDERS_PHONES'> = {
  [ContactField.EMAILS]: 'PROVIDERS_EMAILS',
  [ContactField.PHONES]: 'PROVIDERS_PHONES',
};

/** Orders the known providers into one waterfall per field, as configured. */
@Injectable()
export class ProviderRegistry implements OnModuleInit {
  private readonly waterfalls = new Map<ContactField, readonly EnrichmentProvider[]>();

  constructor(
    @Inject(ENRICHMENT_PROVIDERS) private readonly providers: readonly EnrichmentProvider[],
    private readonly config: AppConfig,
    @Optional()
    @Inject(UNCONFIGURED_PROVIDERS)
    private readonly unconfigured: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Refuses to boot on a configuration that would fail (or silently skip) at the first job. */
  onModuleInit(): void {
    const problems: string[] = [];
    const byName = new Map<string, EnrichmentProvider>();
    for (const provider of this.providers) {
      if (byName.has(provider.name)) problems.push(`two providers are named "${provider.name}"`);
      if (!Number.isInteger(provider.maxBatchSize) || provider.maxBatchSize < 1) {
        problems.push(`provider "${provider.name}" has an invalid maxBatchSize (${provider.maxBatchSize})`);
      }
      byName.set(provider.name, provider);
    }
    const known = [...byName.keys()].join(', ');

    for (const field of CONTACT_FIELDS) {
      const setting = WATERFALL_SETTING[field];
      const names = this.config[setting];
      if (names.length === 0) problems.push(`${setting} is empty: ${field} needs at least one provider`);
      const waterfall: EnrichmentProvider[] = [];
      names.forEach((name, index) => {
        const provider = byName.get(name);
        const missingSetting = this.unconfigured.get(name);
        if (!provider && missingSetting) {
          problems.push(`${setting} names "${name}", which needs ${missingSetting} to be set`);
        } else if (!provider) {
          problems.push(`${setting} names an unknown provider "${name}" (known: ${known})`);
        } else if (provider.field !== field) {
          problems.push(`${setting} names "${name}", which provides ${provider.field}, not ${field}`);
        } else if (names.indexOf(name) !== index) {
          problems.push(`${setting} names "${name}" twice`);
        } else {
          waterfall.push(provider);
        }
      });
      this.waterfalls.set(field, waterfall);
    }

    if (problems.length > 0) {
      throw new Error(`Invalid provider configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
  }

  /** The enabled providers for a field, in the order to ask them. */
  waterfall(field: ContactField): readonly EnrichmentProvider[] {
    const waterfall = this.waterfalls.get(field);
    if (!waterfall) throw new Error(`ProviderRegistry has no waterfall for ${field}: used before module init?`);
    return waterfall;
  }
}
