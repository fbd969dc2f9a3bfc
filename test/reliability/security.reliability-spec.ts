import { createHmac, generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { Pool } from 'pg';
import { RELIABILITY_JWT_SECRET } from './support/env';
import {
  BULK,
  call,
  createPool,
  EnrichmentObject,
  finishScenario,
  grant,
  leadIds,
  manual,
  token,
} from './support/harness';
import { ApiProcess, baseEnv, RedisServer, startApi, stopAll } from './support/processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(120000);

const SUITE = 'security';
const BALANCE = '/api/v1/operations/credits/balance';
const ISSUER = 'https://id.reliability.test';
const AUDIENCE = 'enrichment-api';
const claims = { sub: 'user_attacker', org_id: 'org_rel_jwt', role: 'member' };

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token with any header and payload, HMAC-signed with `secret` (or unsigned): what an attacker can forge. */
function forge(header: object, payload: object, secret?: string | Buffer): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${secret === undefined ? '' : createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('Security: JWT attacks and cross-org access', () => {
  let db: Pool;
  let hs: ApiProcess;
  let rs: ApiProcess;
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  beforeAll(async () => {
    db = createPool();
    const redis = await RedisServer.start();
    const env = baseEnv(redis.url);
    [hs, rs] = await Promise.all([
      startApi({ ...env, RUN_WORKERS: 'true' }, { name: 'api-hs256' }),
      startApi(
        {
          ...env,
          RUN_WORKERS: 'false',
          // The key modes are exclusive: empty means not set.
          JWT_SECRET: '',
          JWT_PUBLIC_KEY: publicPem,
          JWT_ISSUER: ISSUER,
          JWT_AUDIENCE: AUDIENCE,
        },
        { name: 'api-rs256' },
      ),
    ]);
  });

  afterAll(async () => {
    await stopAll();
    await db.end();
  });

  it('every JWT attack answers 401 in the envelope, on the HS256 and the RS256 deployment', async () => {
    const tally = new ScenarioTally(SUITE, 'JWT attacks (HS256 and RS256 deployments)');
    const exp = now() + 600;
    const rsValid = (overrides: object = {}, key = keys.privateKey) =>
      sign(claims, key, { algorithm: 'RS256', expiresIn: 600, issuer: ISSUER, audience: AUDIENCE, ...overrides });
    const hsValid = (payload: object = {}) =>
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp, ...payload }, RELIABILITY_JWT_SECRET);

    const attacks: [ApiProcess, string, string][] = [
      [hs, 'alg none', forge({ alg: 'none', typ: 'JWT' }, { ...claims, exp })],
      [hs, 'alg NONE', forge({ alg: 'NONE', typ: 'JWT' }, { ...claims, exp })],
      [
        hs,
        'HS256 with the wrong secret',
        forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp }, 'not-the-secret-0123456789'),
      ],
      [
        hs,
        'HS384 with the right secret (algorithm not pinned)',
        sign({ ...claims }, RELIABILITY_JWT_SECRET, { algorithm: 'HS384', expiresIn: 600 }),
      ],
      [
        hs,
        'RS256 token on the HS256 deployment',
        sign(claims, keys.privateKey, { algorithm: 'RS256', expiresIn: 600 }),
      ],
      [hs, 'expired', hsValid({ exp: now() - 60 })],
      [hs, 'not yet valid (nbf)', hsValid({ nbf: now() + 300 })],
      [hs, 'no exp', forge({ alg: 'HS256', typ: 'JWT' }, { ...claims }, RELIABILITY_JWT_SECRET)],
      [hs, 'no org_id', hsValid({ org_id: undefined })],
      [hs, 'no sub', hsValid({ sub: undefined })],
      [hs, 'unknown role', hsValid({ role: 'superuser' })],
      [
        hs,
        'tampered payload',
        `${hsValid().split('.')[0]}.${b64({ ...claims, org_id: 'org_victim', exp })}.${hsValid().split('.')[2]}`,
      ],
      [hs, 'garbage', 'not.a.jwt'],
      [rs, 'alg none', forge({ alg: 'none', typ: 'JWT' }, { ...claims, exp, iss: ISSUER, aud: AUDIENCE })],
      [
        rs,
        'HS256 signed with the public key (HS/RS confusion)',
        forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp, iss: ISSUER, aud: AUDIENCE }, publicPem),
      ],
      [
        rs,
        'HS256 with the default secret',
        forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp, iss: ISSUER, aud: AUDIENCE }, RELIABILITY_JWT_SECRET),
      ],
      [rs, 'RS256 signed with another key', rsValid({}, other.privateKey)],
      [rs, 'RS512 with the right key (algorithm not pinned)', rsValid({ algorithm: 'RS512' })],
      [rs, 'wrong issuer', rsValid({ issuer: 'https://evil.example.com' })],
      [rs, 'wrong audience', rsValid({ audience: 'another-api' })],
      [rs, 'no issuer or audience', sign(claims, keys.privateKey, { algorithm: 'RS256', expiresIn: 600 })],
      [rs, 'expired', rsValid({ expiresIn: -60 })],
      [rs, 'not yet valid (nbf)', rsValid({ notBefore: 300 })],
    ];
    const failures: string[] = [];
    for (const [api, name, jwt] of attacks) {
      const res = await call(api.url, 'GET', BALANCE, { token: jwt, tally });
      const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
      if (res.status !== 401 || code !== 'UNAUTHORIZED')
        failures.push(`${api.name}: ${name} → ${res.status} ${res.text.slice(0, 200)}`);
    }
    for (const scheme of ['Basic dXNlcjpwYXNz', '', 'Bearer', `Token ${hsValid()}`]) {
      const res = await call(hs.url, 'GET', BALANCE, { headers: { authorization: scheme }, tally });
      if (res.status !== 401) failures.push(`${hs.name}: authorization "${scheme.slice(0, 20)}" → ${res.status}`);
    }
    // The controls: the genuine tokens are accepted, so the 401s above are the attacks' doing.
    expect((await call(hs.url, 'GET', BALANCE, { token: hsValid(), tally })).status).toBe(200);
    expect((await call(rs.url, 'GET', BALANCE, { token: rsValid(), tally })).status).toBe(200);
    tally.details.attacks = attacks.length + 3;
    tally.finish({
      violations: failures.map((f) => ({ rule: 'JWT attack not refused', orgId: null, detail: { case: f } })),
    });
    expect(failures).toEqual([]);
  });

  it("another org's ids answer 404 on every route with an id, never data, and change nothing", async () => {
    const tally = new ScenarioTally(SUITE, 'cross-org access on every route with an id');
    const victim = 'org_rel_victim';
    const attacker = 'org_rel_attacker';
    await grant(hs.url, victim, 1000, tally);
    const [lead] = await leadIds(db, 1, 2500);
    const created = await call(hs.url, 'POST', BULK, { token: token(victim), json: manual([lead]), tally });
    expect(created.status).toBe(201);
    const operationId = created.headers.get('x-operation-id');
    const enrichment = (created.body as EnrichmentObject[])[0];
    const webhook = await call(hs.url, 'POST', '/api/v1/webhooks', {
      token: token(victim, { role: 'owner' }),
      json: { url: 'http://127.0.0.1:9/hook' },
      tally,
    });
    expect(webhook.status).toBe(201);
    const webhookId = (webhook.body as { id: string }).id;
    // What the attacker does not know (the ids it sends may be echoed back in the 404 message).
    const secrets = [victim, enrichment.id, enrichment.creditTransactionId!, 'http://127.0.0.1:9/hook'];

    const doc = (await call(hs.url, 'GET', '/docs-json', { tally })).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const ids: Record<string, string> = { operationId: operationId!, id: webhookId, personId: lead };
    const routes = Object.entries(doc.paths)
      // Admin routes are cross-org by design (admins act on any org); they are role-guarded instead.
      .filter(([path]) => !path.startsWith('/api/v1/admin') && /\{(operationId|id|personId)\}/.test(path))
      .flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })))
      // POST /{personId} enriches a lead of the shared people database for the caller's own org: not another org's data.
      .filter((route) => !(route.method === 'POST' && route.path.endsWith('/{personId}')));
    expect(routes.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    for (const route of routes) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name]);
      const query = route.path.endsWith('/{personId}') ? '?field=emails' : '';
      const res = await call(hs.url, route.method, `${path}${query}`, {
        // An owner of another org: the strongest a customer gets, still sees none of the victim's resources.
        token: token(attacker, { role: 'owner' }),
        json: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        tally,
      });
      const leaked = secrets.filter((secret) => res.text.includes(secret));
      if (res.status !== 404 || leaked.length > 0)
        failures.push(
          `${route.method} ${route.path} → ${res.status} ${leaked.length ? `leaks ${leaked.join(', ')}` : ''} ${res.text.slice(0, 200)}`,
        );
    }
    // The victim's resources are untouched: the operation was not cancelled, the webhook not deleted.
    const operation = await call(hs.url, 'GET', `/api/v1/operations/enrichment/operations/${operationId}`, {
      token: token(victim),
      tally,
    });
    expect(operation.status).toBe(200);
    expect((operation.body as { cancelled: number }).cancelled).toBe(0);
    const hooks = await call(hs.url, 'GET', '/api/v1/webhooks', { token: token(victim, { role: 'owner' }), tally });
    expect((hooks.body as { id: string }[]).map((h) => h.id)).toContain(webhookId);
    tally.details.routes = routes.map((r) => `${r.method} ${r.path}`);
    const violations = await finishScenario(db, tally, [victim, attacker]);
    expect({ failures, violations }).toEqual({ failures: [], violations: [] });
  });
});
