import { loadConfig } from '@app/core';
import { guardedLookup, isInternalAddress, urlProblem } from './webhook-url-policy';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    // IPv4 inside IPv6 (compatible, mapped, translated, 6to4, Teredo), site-local, reserved:
    // not plain unicast, so internal — a public IPv4 is registered in its own form.
    '::127.0.0.1',
    '::7f00:1',
    '::10.0.0.1',
    '::ffff:0:7f00:1',
    '::ffff:8.8.8.8',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '2001::1',
    'fec0::1',
    '2001:db8::1',
    '198.18.0.1',
    '255.255.255.255',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111'])('allows %s', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });
});

describe('urlProblem', () => {
  it('accepts public http and https URLs', () => {
    expect(urlProblem('https://hooks.example.com/x?y=1', false)).toBeNull();
    expect(urlProblem('http://93.184.216.34:8080/hook', false)).toBeNull();
  });

  it('refuses other schemes and credentials whatever the policy', () => {
    for (const allowPrivate of [true, false]) {
      expect(urlProblem('ftp://example.com/', allowPrivate)).toMatch(/http or https/);
      expect(urlProblem('file:///etc/passwd', allowPrivate)).toMatch(/http or https/);
      expect(urlProblem('https://user:pass@example.com/', allowPrivate)).toMatch(/credentials/);
      expect(urlProblem('not a url', allowPrivate)).toMatch(/absolute/);
    }
  });

  it('refuses internal targets only when private URLs are not allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://localhost/',
      'http://LOCALHOST./',
      'http://api.localhost/',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.5/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::127.0.0.1]/',
      'http://[::10.0.0.1]/',
      'http://[::ffff:0:7f00:1]/',
      'http://[2002:7f00:1::]/',
      'http://[fec0::1]/',
    ]) {
      expect(urlProblem(url, false)).toMatch(/internal address/);
      expect(urlProblem(url, true)).toBeNull();
    }
  });
});

describe('guardedLookup', () => {
  it('refuses a host name that resolves to an internal address', (done) => {
    guardedLookup('localhost', { all: true }, (error) => {
      expect(error?.message).toMatch(/internal address/);
      done();
    });
  });
});

describe('WEBHOOK_ALLOW_PRIVATE_URLS', () => {
  const secret = { JWT_SECRET: 'a-production-secret-0123456789', METRICS_TOKEN: 'a-metrics-token-0123456789' };

  it('defaults to true outside production and false in production', () => {
    expect(loadConfig({}).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ...secret }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(false);
  });

  it('is honoured when set explicitly', () => {
    expect(
      loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...secret }).WEBHOOK_ALLOW_PRIVATE_URLS,
    ).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(false);
  });
});
