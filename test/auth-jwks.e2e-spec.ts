import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';
import { sign } from 'jsonwebtoken';
import { createTestApp, TestApp, waitFor } from './support/test-app';

const ISSUER = 'https://id.example.com/';
const AUDIENCE = 'enrichment-api';
const BALANCE = '/api/v1/operations/credits/balance';

type SigningKey = { kid: string; alg: 'RS256' | 'ES256'; privateKey: CryptoKey; jwk: JWK };

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** An identity provider's JWKS endpoint whose published keys the test changes, counting fetches. */
class JwksServer {
  keys: SigningKey[] = [];
  fetches = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((_req, res) => {
      this.fetches += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys.map((key) => key.jwk) }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const token = (key: SigningKey, claims: object = {}, kid = key.kid) =>
  new SignJWT({ sub: 'user_jwks', org_id: 'org_jwks', role: 'member', iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: key.alg, kid })
    .setExpirationTime('5m')
    .sign(key.privateKey);

describe('JWKS: tokens of a hosted identity provider, with key rotation', () => {
  const jwks = new JwksServer();
  let t: TestApp;
  let first: SigningKey;
  let second: SigningKey;

  beforeAll(async () => {
    first = await signingKey('key-2026-11', 'RS256');
    second = await signingKey('key-2026-12', 'ES256');
    jwks.keys = [first];
    const url = await jwks.start();
    t = await createTestApp({
      RUN_WORKERS: 'false',
      JWT_JWKS_URL: url,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      // Short, so the test sees a refetch quickly; production keeps the defaults (30 s, 10 min).
      JWT_JWKS_COOLDOWN_MS: '300',
      JWT_JWKS_CACHE_MAX_AGE_MS: '1500',
    });
  });

  afterAll(async () => {
    await t?.close();
    await jwks.stop();
  });

  const balance = (bearer: string) => t.http().get(BALANCE).set('Authorization', `Bearer ${bearer}`);

  it('accepts a token signed with a published key (RS256), picked by kid', async () => {
    const res = await balance(await token(first)).expect(200);
    expect(res.body).toMatchObject({ balance: 0, organizationId: 'org_jwks' });
  });

  it.each([
    ['a wrong issuer', async () => token(first, { iss: 'https://evil.example.com/' })],
    [
      'no exp',
      async () =>
        new SignJWT({ org_id: 'org_jwks' })
          .setProtectedHeader({ alg: 'RS256', kid: first.kid })
          .setSubject('u')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(first.privateKey),
    ],
    [
      'HS256 with the default dev secret',
      async () =>
        sign({ sub: 'u', org_id: 'org_jwks' }, t.config.JWT_SECRET, {
          expiresIn: 60,
          issuer: ISSUER,
          audience: AUDIENCE,
        }),
    ],
    ['a key the provider never published', async () => token(await signingKey('key-rogue', 'RS256'))],
  ])('refuses %s with 401 and error="invalid_token"', async (_name, make) => {
    const res = await balance(await make()).expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('picks up a rotated-in key without a restart, and refuses the old one once it is removed', async () => {
    // The provider publishes its new key (ES256, new kid) next to the old one, then signs with it.
    jwks.keys = [first, second];
    const signedWithNew = await token(second);
    await waitFor(async () => (await balance(signedWithNew)).status === 200);
    await balance(await token(first)).expect(200);

    // Then it removes the old key: once the cached set ages out, old tokens are refused.
    jwks.keys = [second];
    const signedWithOld = await token(first);
    await waitFor(async () => (await balance(signedWithOld)).status === 401);
    await balance(await token(second)).expect(200);
  });

  it('unknown kids do not hammer the provider: refetches are rate-limited by the cooldown', async () => {
    const before = jwks.fetches;
    const rogue = await signingKey('key-rogue-2', 'RS256');
    const started = Date.now();
    for (let i = 0; i < 20; i += 1) await balance(await token(rogue, {}, `unknown-${i}`)).expect(401);
    const elapsed = Date.now() - started;
    // At most one fetch per cooldown (300 ms) and one per cache age, over the time the loop took.
    expect(jwks.fetches - before).toBeLessThanOrEqual(Math.ceil(elapsed / 300) + 1);
    expect(jwks.fetches - before).toBeLessThan(20);
  });
});
