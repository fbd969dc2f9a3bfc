import { AppConfig, ContactField } from '@app/core';
import type { EnrichmentProvider } from './provider.interface';
import { ProviderRegistry } from './provider.registry';

function fake(name: string, field: ContactField, maxBatchSize = 10): EnrichmentProvider {
  return { name, field, maxBatchSize, lookup: () => Promise.resolve(new Map()) };
}

const known = [
  fake('mail-a', ContactField.EMAILS),
  fake('mail-b', ContactField.EMAILS),
  fake('phone-a', ContactField.PHONES),
  fake('phone-b', ContactField.PHONES),
];

function registry(
  settings: Partial<Pick<AppConfig, 'PROVIDERS_EMAILS' | 'PROVIDERS_PHONES'>>,
  providers: EnrichmentProvider[] = known,
): ProviderRegistry {
  const config = Object.assign(new AppConfig(), {
    PROVIDERS_EMAILS: ['mail-a', 'mail-b'],
    PROVIDERS_PHONES: ['phone-a'],
    ...settings,
  });
  return new ProviderRegistry(providers, config);
}

describe('ProviderRegistry', () => {
  it('orders each field’s enabled providers as configured', () => {
    const subject = registry({ PROVIDERS_EMAILS: ['mail-b', 'mail-a'], PROVIDERS_PHONES: ['phone-b'] });
    subject.onModuleInit();
    expect(subject.waterfall(ContactField.EMAILS).map((p) => p.name)).toEqual(['mail-b', 'mail-a']);
    expect(subject.waterfall(ContactField.PHONES).map((p) => p.name)).toEqual(['phone-b']);
  });

  it('refuses to boot on an unknown provider name, listing the known ones', () => {
    expect(() => registry({ PROVIDERS_EMAILS: ['mail-a', 'mail-z'] }).onModuleInit()).toThrow(
      'PROVIDERS_EMAILS names an unknown provider "mail-z" (known: mail-a, mail-b, phone-a, phone-b)',
    );
  });

  it('refuses to boot on a provider listed under the wrong field', () => {
    expect(() => registry({ PROVIDERS_PHONES: ['phone-a', 'mail-a'] }).onModuleInit()).toThrow(
      'PROVIDERS_PHONES names "mail-a", which provides emails, not phones',
    );
  });

  it('refuses to boot when a field has no provider', () => {
    expect(() => registry({ PROVIDERS_EMAILS: [] }).onModuleInit()).toThrow(
      'PROVIDERS_EMAILS is empty: emails needs at least one provider',
    );
  });

  it('refuses to boot on a provider listed twice', () => {
    expect(() => registry({ PROVIDERS_EMAILS: ['mail-a', 'mail-a'] }).onModuleInit()).toThrow(
      'PROVIDERS_EMAILS names "mail-a" twice',
    );
  });

  it('refuses to boot on two providers with one name, or an unusable batch size', () => {
    const providers = [...known, fake('mail-a', ContactField.EMAILS), fake('mail-c', ContactField.EMAILS, 0)];
    expect(() => registry({}, providers).onModuleInit()).toThrow(
      /two providers are named "mail-a"[\s\S]*"mail-c" has an invalid maxBatchSize \(0\)/,
    );
  });

  it('reports every problem at once', () => {
    const boot = () => registry({ PROVIDERS_EMAILS: ['nope'], PROVIDERS_PHONES: [] }).onModuleInit();
    expect(boot).toThrow(/^Invalid provider configuration:\n {2}- .*"nope".*\n {2}- PROVIDERS_PHONES is empty/);
  });

  it('has no waterfall before it is initialised', () => {
    expect(() => registry({}).waterfall(ContactField.EMAILS)).toThrow(/before module init/);
  });

  it('says which setting is missing when a waterfall names a vendor that is not configured', () => {
    const config = Object.assign(new AppConfig(), { PROVIDERS_EMAILS: ['hunter'], PROVIDERS_PHONES: ['phone-a'] });
    const subject = new ProviderRegistry(known, config, new Map([['hunter', 'HUNTER_API_KEY']]));
    expect(() => subject.onModuleInit()).toThrow(
      'PROVIDERS_EMAILS names "hunter", which needs HUNTER_API_KEY to be set',
    );
  });
});
