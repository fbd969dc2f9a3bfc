import { inspect } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig, loadConfig } from './app-config';
import {
  EnvBool,
  EnvFloat,
  EnvInt,
  EnvList,
  EnvUrl,
  REDACTED,
  redactConfig,
  Secret,
  secretSettings,
} from './env-decorators';

class Sample {
  @EnvInt({ min: 1, max: 10 })
  count = 5;

  @EnvFloat({ min: 0, max: 1 })
  rate = 0.5;

  @EnvBool()
  flag = false;

  @EnvList()
  names: string[] = [];

  @EnvUrl()
  url = 'https://example.com';

  @EnvUrl({ orEmpty: true })
  optionalUrl = '';

  @Secret()
  @EnvUrl({ orEmpty: true })
  token = '';
}

function read(env: Record<string, string>): { value: Sample; problems: Record<string, string[]> } {
  const value = plainToInstance(Sample, env, { exposeDefaultValues: true });
  const problems = Object.fromEntries(
    validateSync(value).map((error) => [error.property, Object.values(error.constraints ?? {})]),
  );
  return { value, problems };
}

describe('environment decorators', () => {
  it('convert well-formed text to the setting type, padding included', () => {
    const { value, problems } = read({
      count: ' 7 ',
      rate: '0.25',
      flag: ' YES',
      names: 'a, b,,c ',
      url: 'http://x.internal:8080/v1',
    });
    expect(problems).toEqual({});
    expect(value).toMatchObject({
      count: 7,
      rate: 0.25,
      flag: true,
      names: ['a', 'b', 'c'],
      url: 'http://x.internal:8080/v1',
    });
  });

  it('leave malformed text for the validators, which name the setting and its range', () => {
    const { problems } = read({ count: '11', rate: 'half', flag: 'maybe', url: 'ftp://x', optionalUrl: 'x' });
    expect(problems).toEqual({
      count: ['count must not be greater than 10'],
      rate: [
        'rate must not be greater than 1',
        'rate must not be less than 0',
        'rate must be a number conforming to the specified constraints',
      ],
      flag: ['flag must be a boolean value'],
      url: ['url must be an http(s) URL'],
      optionalUrl: ['optionalUrl must be an http(s) URL'],
    });
    expect(read({ count: '1.5' }).problems.count).toContain('count must be an integer number');
    expect(read({ count: '0' }).problems.count).toEqual(['count must not be less than 1']);
  });

  it('list the secrets of a class, and mask them when set', () => {
    expect([...secretSettings(Sample)]).toEqual([['token', 'hidden']]);
    expect(redactConfig(read({ token: 'https://t' }).value)).toMatchObject({
      token: REDACTED,
      url: 'https://example.com',
    });
    // An unset secret is shown as unset: a dump says whether it was configured, never what it is.
    expect(redactConfig(read({}).value)).toMatchObject({ token: '' });
  });
});

describe('AppConfig secrets', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://app:db-password@db.internal:5432/enrichment',
    REDIS_URL: 'redis://:redis-password@cache.internal:6379',
    JWT_SECRET: 'a-jwt-secret-of-enough-length',
    HUNTER_API_KEY: 'hunter-key',
    APOLLO_API_KEY: 'apollo-key',
    PDL_API_KEY: 'pdl-key',
    GENERIC_HTTP_URL: 'https://user:generic-password@enrich.internal/v1',
    GENERIC_HTTP_API_KEY: 'generic-key',
    METRICS_TOKEN: 'a-metrics-token-0123456789',
  });
  const secrets = [
    'db-password',
    'redis-password',
    'a-jwt-secret-of-enough-length',
    'hunter-key',
    'apollo-key',
    'pdl-key',
    'generic-password',
    'generic-key',
    'a-metrics-token-0123456789',
  ];

  it('are never in a JSON or inspect dump of the configuration', () => {
    for (const dump of [JSON.stringify(config), inspect(config), `${inspect({ config }, { depth: 5 })}`])
      for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(JSON.parse(JSON.stringify(config))).toMatchObject({
      DATABASE_URL: 'postgres://db.internal:5432/enrichment',
      REDIS_URL: 'redis://cache.internal:6379',
      JWT_SECRET: REDACTED,
      HUNTER_API_KEY: REDACTED,
      METRICS_TOKEN: REDACTED,
      PORT: 3000,
    });
  });

  it('stay readable by the code that needs them', () => {
    expect(config.JWT_SECRET).toBe('a-jwt-secret-of-enough-length');
    expect(config.vendors.hunter.apiKey).toBe('hunter-key');
  });
});

describe('AppConfig.vendors', () => {
  it('groups each vendor’s flat variables, defaults included', () => {
    const config = loadConfig({
      HUNTER_API_KEY: 'h',
      HUNTER_RATE_LIMIT: '5',
      PDL_MAX_BATCH: '20',
      PROVIDER_MAX_ATTEMPTS: '4',
    });
    expect(config.vendors).toEqual({
      retry: { maxAttempts: 4, retryBaseMs: 500, retryMaxMs: 10000 },
      hunter: {
        apiKey: 'h',
        baseUrl: 'https://api.hunter.io',
        timeoutMs: 10000,
        rateLimit: { requests: 5, windowMs: 1000 },
        maxBatch: 1,
      },
      apollo: {
        apiKey: '',
        baseUrl: 'https://api.apollo.io',
        timeoutMs: 20000,
        rateLimit: { requests: 50, windowMs: 60000 },
        maxBatch: 10,
      },
      pdl: {
        apiKey: '',
        baseUrl: 'https://api.peopledatalabs.com',
        timeoutMs: 30000,
        rateLimit: { requests: 10, windowMs: 60000 },
        maxBatch: 20,
      },
      generic: {
        apiKey: '',
        authHeader: 'Authorization',
        baseUrl: '',
        timeoutMs: 10000,
        rateLimit: { requests: 100, windowMs: 1000 },
        maxBatch: 100,
      },
    });
  });

  it('is derived, not a setting: it is not read from the environment nor listed', () => {
    expect(Object.keys(new AppConfig())).not.toContain('vendors');
    expect(() => loadConfig({ vendors: 'x' })).not.toThrow();
  });
});
