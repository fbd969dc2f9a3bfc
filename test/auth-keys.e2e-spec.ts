import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { createTestApp, TestApp } from './support/test-app';

const claims = { sub: 'user_rs', org_id: 'org_rs', role: 'member' };

describe('JWT verification with RS256, issuer and audience', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RUN_WORKERS: 'false',
      JWT_PUBLIC_KEY: publicPem,
      JWT_ISSUER: 'https://id.example.com',
      JWT_AUDIENCE: 'enrichment-api',
    });
  });
  afterAll(() => t.close());

  const balance = (token: string) =>
    t.http().get('/api/v1/operations/credits/balance').set('Authorization', `Bearer ${token}`);
  const rs = (overrides: object = {}) =>
    sign(claims, privateKey, {
      algorithm: 'RS256',
      expiresIn: 60,
      issuer: 'https://id.example.com',
      audience: 'enrichment-api',
      ...overrides,
    });

  it('accepts an RS256 token with the configured issuer and audience', async () => {
    await balance(rs()).expect(200, { balance: 0, organizationId: 'org_rs', held: 0, nextExpiry: null });
  });

  it.each([
    ['the wrong issuer', () => rs({ issuer: 'https://evil.example.com' })],
    ['the wrong audience', () => rs({ audience: 'another-api' })],
    ['not yet valid (nbf)', () => rs({ notBefore: 120 })],
    // HS/RS confusion: the public key used as an HMAC secret must not verify.
    [
      'HS256 signed with the public key',
      () =>
        sign(claims, publicPem, {
          algorithm: 'HS256',
          expiresIn: 60,
          issuer: 'https://id.example.com',
          audience: 'enrichment-api',
        }),
    ],
    [
      'HS256 with the default secret',
      () =>
        sign(claims, t.config.JWT_SECRET, {
          expiresIn: 60,
          issuer: 'https://id.example.com',
          audience: 'enrichment-api',
        }),
    ],
  ])('rejects %s with 401', async (_name, make) => {
    const res = await balance(make()).expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });
});
