import { ContactField, loadConfig } from '@app/core';
import { createHttpProviders, missingHttpProviders } from './create-http-providers';

describe('createHttpProviders', () => {
  it('registers no vendor on a fresh clone, and says what each one needs', () => {
    const config = loadConfig({});
    expect(createHttpProviders(config)).toEqual([]);
    expect(Object.fromEntries(missingHttpProviders(config))).toEqual({
      hunter: 'HUNTER_API_KEY',
      'apollo-emails': 'APOLLO_API_KEY',
      'apollo-phones': 'APOLLO_API_KEY',
      'pdl-emails': 'PDL_API_KEY',
      'pdl-phones': 'PDL_API_KEY',
      'generic-emails': 'GENERIC_HTTP_URL',
      'generic-phones': 'GENERIC_HTTP_URL',
    });
  });

  it('registers each configured vendor, with its own limits and batch size', () => {
    const config = loadConfig({
      HUNTER_API_KEY: 'h',
      HUNTER_RATE_LIMIT: '5',
      APOLLO_API_KEY: 'a',
      APOLLO_MAX_BATCH: '4',
      PDL_API_KEY: 'p',
      PDL_RATE_LIMIT: '7',
      PDL_RATE_WINDOW_MS: '2000',
      GENERIC_HTTP_URL: 'https://enrich.internal/v1',
    });
    expect(createHttpProviders(config).map((p) => [p.name, p.field, p.maxBatchSize, p.rateLimit?.requests])).toEqual([
      ['hunter', ContactField.EMAILS, 1, 5],
      ['apollo-emails', ContactField.EMAILS, 4, 50],
      ['apollo-phones', ContactField.PHONES, 4, 50],
      ['pdl-emails', ContactField.EMAILS, 100, 7],
      ['pdl-phones', ContactField.PHONES, 100, 7],
      ['generic-emails', ContactField.EMAILS, 100, 100],
      ['generic-phones', ContactField.PHONES, 100, 100],
    ]);
    expect(missingHttpProviders(config).size).toBe(0);
  });

  it('is validated at boot: a bad vendor setting is named', () => {
    expect(() => loadConfig({ APOLLO_MAX_BATCH: '50', GENERIC_HTTP_URL: 'ftp://x' })).toThrow(
      /APOLLO_MAX_BATCH=50[\s\S]*GENERIC_HTTP_URL="ftp:\/\/x": GENERIC_HTTP_URL must be an http\(s\) URL/,
    );
  });
});
