import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, ConfigValidationError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies the defaults and converts types', () => {
    const config = loadConfig({
      PORT: '4000',
      RUN_WORKERS: 'false',
      PROVIDERS_EMAILS: 'a, b',
      SIM_HIT_RATE: '0.5',
      JWT_ISSUER: '',
    });
    expect(config).toMatchObject({
      PORT: 4000,
      RUN_WORKERS: false,
      PROVIDERS_EMAILS: ['a', 'b'],
      SIM_HIT_RATE: 0.5,
      PRICE_EMAILS: 5,
      PRICE_PHONES: 20,
    });
    expect(config.JWT_ISSUER).toBeUndefined();
  });

  it('names every bad value in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        SIM_HIT_RATE: '2',
        JWT_SECRET: 'short',
        RUN_WORKERS: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    for (const key of ['PORT', 'DATABASE_URL', 'SIM_HIT_RATE', 'JWT_SECRET', 'RUN_WORKERS'])
      expect(message).toContain(`${key}=`);
  });

  it('listens on loopback by default, on every interface in production, on HOST when set', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-0123', METRICS_PUBLIC: 'true' };
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).HOST).toBe('127.0.0.1');
    expect(loadConfig(production).HOST).toBe('0.0.0.0');
    expect(loadConfig({ ...production, HOST: '10.0.0.5' }).HOST).toBe('10.0.0.5');
    expect(loadConfig({ HOST: '::' }).HOST).toBe('::');
    expect(() => loadConfig({ HOST: 'http://x/' })).toThrow(/HOST=/);
  });

  it('refuses the development secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET or JWT_PUBLIC_KEY or JWT_JWKS_URL must be set/,
    );
  });

  it('refuses a public /metrics in production unless METRICS_PUBLIC=true says so', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-0123456789' };
    expect(() => loadConfig(production)).toThrow(/METRICS_TOKEN must be set when NODE_ENV=production/);
    expect(loadConfig({ ...production, METRICS_TOKEN: 'a-metrics-token-0123456789' }).METRICS_TOKEN).toBeTruthy();
    expect(loadConfig({ ...production, METRICS_PUBLIC: 'true' }).METRICS_PUBLIC).toBe(true);
    expect(() => loadConfig({ METRICS_PUBLIC: 'false' })).not.toThrow();
  });

  it.each([
    [{ JWT_SECRET: 'a-secret-of-enough-length', JWT_JWKS_URL: 'https://id.example.com/jwks' }],
    [{ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----x', JWT_JWKS_URL: 'https://id.example.com/jwks' }],
  ])('refuses a JWKS URL with another key mode: %j', (env) => {
    expect(() => loadConfig(env)).toThrow(/set only one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL/);
  });

  it('refuses a JWKS URL that is not http(s)', () => {
    expect(() => loadConfig({ JWT_JWKS_URL: 'file:///etc/jwks.json' })).toThrow(
      /JWT_JWKS_URL must be an http\(s\) URL/,
    );
  });

  it('refuses two token key modes at once', () => {
    expect(() =>
      loadConfig({ JWT_SECRET: 'a-secret-of-enough-length', JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----x' }),
    ).toThrow(/set only one of JWT_SECRET, JWT_PUBLIC_KEY/);
  });

  it('takes exact CORS origins and refuses anything a browser Origin header could never equal', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).CORS_ORIGINS).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    for (const bad of [
      'https://app.example.com/',
      'https://App.example.com',
      'https://app.example.com:443',
      'app.example.com',
      'ftp://x.example.com',
    ])
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS=.*exact origin/);
  });

  it('allows CORS_ORIGINS=* outside production only, and only alone', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
    expect(() =>
      loadConfig({ CORS_ORIGINS: '*', NODE_ENV: 'production', JWT_SECRET: 'a-secret-of-enough-length' }),
    ).toThrow(/any origin is refused in production/);
    expect(() => loadConfig({ CORS_ORIGINS: '*,https://app.example.com' })).toThrow(/cannot be combined/);
  });

  it('.env.example lists every setting with its default', () => {
    const example = readFileSync(join(__dirname, '../../../../.env.example'), 'utf8');
    const listed = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const defaults = new AppConfig();
    const optional = ['JWT_PUBLIC_KEY', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE'];
    expect(Object.keys(listed).sort()).toEqual([...Object.keys(defaults), ...optional].sort());
    expect(loadConfig(listed)).toEqual(defaults);
  });
});
