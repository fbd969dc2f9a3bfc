import { gzipSync } from 'node:zlib';
import { Role, signToken } from '../libs/auth/src';
import type Redis from 'ioredis';
import { EnrichmentStatsService } from '../libs/enrichment/src';
import { OPS_REDIS } from '../libs/ops/src/services/ops-redis.provider';
import { createTestApp, resetState, TestApp, tokenFor, waitFor } from './support/test-app';

/** The error envelope of a 400 naming one field. */
function namesField(body: { error: { code: string; details: { fields: { field: string }[] } } }, field: string) {
  expect(body.error.code).toBe('VALIDATION_ERROR');
  expect(body.error.details.fields.map((f) => f.field)).toEqual([field]);
}

describe('Front door: bodies, the per-IP budget, cheap probes, safe strings', () => {
  let t: TestApp;
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    await resetState(t.config, t.dataSource);
    member = tokenFor(t.config, { orgId: 'org_front' });
  });

  afterAll(async () => {
    await t.close();
  });

  const search = (body: string | Buffer, headers: Record<string, string> = {}, app = t) =>
    app
      .http()
      .post('/api/v1/leads/search')
      .set('Authorization', `Bearer ${tokenFor(app.config, { orgId: 'org_front' })}`)
      .set('Content-Type', 'application/json')
      .set(headers)
      // As is: superagent would otherwise serialise a Buffer as JSON ({"type": "Buffer", ...}).
      .serialize((data: unknown) => data as string)
      .send(body);

  describe('request bodies', () => {
    const valid = JSON.stringify({ filters: { job_title: ['Engineer'] } });

    it('a compressed body is 415 UNSUPPORTED_MEDIA_TYPE by default, never inflated', async () => {
      const res = await search(gzipSync(valid), { 'Content-Encoding': 'gzip' }).expect(415);
      expect(res.body.error).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringContaining('Content-Encoding'),
        details: { contentEncoding: 'gzip' },
      });
      await search(valid, { 'Content-Encoding': 'identity' }).expect(200);
    });

    it('with ACCEPT_COMPRESSED_BODIES=true the inflated size counts against MAX_BODY_SIZE', async () => {
      const compressed = await createTestApp({
        RUN_WORKERS: 'false',
        ACCEPT_COMPRESSED_BODIES: 'true',
        MAX_BODY_SIZE: '16kb',
      });
      try {
        await search(gzipSync(valid), { 'Content-Encoding': 'gzip' }, compressed).expect(200);
        // Not gzip after all: the client's mistake.
        const broken = await search(valid, { 'Content-Encoding': 'gzip' }, compressed).expect(400);
        expect(broken.body.error.code).toBe('VALIDATION_ERROR');
        // 1 KB on the wire, 1 MB inflated.
        const bomb = gzipSync(JSON.stringify({ filters: { job_title: ['x'.repeat(1_000_000)] } }));
        expect(bomb.length).toBeLessThan(2000);
        const res = await search(bomb, { 'Content-Encoding': 'gzip' }, compressed).expect(413);
        expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      } finally {
        await compressed.close();
      }
    });

    it('nesting and size are bounded while parsing: a megabyte of brackets or of tiny items is a 400', async () => {
      const deep = await search('['.repeat(900_000)).expect(400);
      expect(deep.body.error.details.fields).toEqual([{ field: 'body', messages: ['nested deeper than 32 levels'] }]);
      const wide = await search(JSON.stringify({ filters: { job_title: Array.from({ length: 20_000 }, () => 'a') } }));
      expect(wide.status).toBe(400);
      expect(wide.body.error.details.fields).toEqual([{ field: 'body', messages: ['more than 10000 values'] }]);
      await search('{"filters": {"job_title": ["a"]').expect(400);
    });
  });

  describe('the per-IP budget in front of authentication', () => {
    let limited: TestApp;
    const LIMIT = 5;

    beforeAll(async () => {
      limited = await createTestApp({
        RUN_WORKERS: 'false',
        RATE_LIMIT_ANON: String(LIMIT),
        RATE_LIMIT_ANON_WINDOW_MS: '60000',
        // supertest connects from loopback: X-Forwarded-For then names the client, one per test.
        TRUST_PROXY: 'loopback',
      });
    });

    afterAll(async () => {
      await limited.close();
    });

    const from = (ip: string) => ({
      get: (path: string, token?: string) => {
        const req = limited.http().get(path).set('X-Forwarded-For', ip);
        return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
      },
    });

    it('401s are counted: a garbage-token flood gets 429 after the budget; a valid token from that address is unaffected', async () => {
      const client = from('203.0.113.10');
      for (let i = 0; i < LIMIT; i++) await client.get('/api/v1/operations/credits/balance', 'garbage').expect(401);
      const refused = await client.get('/api/v1/operations/credits/balance', 'garbage').expect(429);
      expect(refused.body).toEqual({
        error: {
          code: 'RATE_LIMITED',
          message: expect.any(String),
          details: { limit: LIMIT, windowSeconds: 60, retryAfterSeconds: expect.any(Number) },
        },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Expired and wrongly signed tokens are no credential either.
      await client.get('/api/v1/operations/credits/balance', tokenFor(limited.config, { orgId: 'o' }, -10)).expect(429);
      await client.get('/api/v1/operations/credits/balance').expect(429);

      const valid = tokenFor(limited.config, { orgId: 'org_front' });
      for (let i = 0; i < LIMIT * 2; i++) await client.get('/api/v1/operations/credits/balance', valid).expect(200);
      // Another client (behind the same trusted proxy) has its own budget.
      await from('203.0.113.11').get('/api/v1/operations/credits/balance', 'garbage').expect(401);
    });

    it('an address known to be over budget is refused without a Redis round trip (a flood costs no Redis write per request)', async () => {
      const client = from('203.0.113.30');
      for (let i = 0; i < LIMIT; i++) await client.get('/health').expect(200);
      // Redis says it is spent: from now on this process knows it, until the window ends.
      await client.get('/health').expect(429);
      const redis = limited.app.get<Redis>(OPS_REDIS);
      const spies = [jest.spyOn(redis, 'eval'), jest.spyOn(redis, 'get'), jest.spyOn(redis, 'pttl')];
      try {
        await client.get('/health').expect(429);
        await client.get('/api/v1/operations/credits/balance', 'garbage').expect(429);
        await client
          .get('/api/v1/operations/credits/balance', tokenFor(limited.config, { orgId: 'o' }, -10))
          .expect(429);
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
        // A valid token from that address is still served.
        await client
          .get('/api/v1/operations/credits/balance', tokenFor(limited.config, { orgId: 'org_front' }))
          .expect(200);
        // Another address is still counted in Redis.
        await from('203.0.113.31').get('/health').expect(200);
        expect(spies[0]).toHaveBeenCalled();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

    it('a flood from an address known to be over budget is answered before Express, with the same 429 and security headers', async () => {
      const client = from('203.0.113.40');
      const served = await client.get('/health').expect(200);
      for (let i = 1; i < LIMIT; i++) await client.get('/health').expect(200);
      const throughExpress = await client.get('/health').expect(429);
      // Express 5's app function hands every request to app.handle: not called means not reached.
      const express = limited.app.getHttpAdapter().getInstance() as { handle: (...args: unknown[]) => void };
      const handle = jest.spyOn(express, 'handle');
      try {
        const early = await client.get('/health').expect(429);
        const forged = await client
          .get(
            '/api/v1/operations/credits/balance',
            signToken(
              { sub: 'u', org_id: 'o', role: Role.MEMBER },
              { secret: 'not-the-secret-0123456789', expiresInSeconds: 60 },
            ),
          )
          .expect(429);
        expect(handle).not.toHaveBeenCalled();
        for (const res of [early, forged]) {
          expect(res.body).toEqual(throughExpress.body);
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
          for (const name of [
            'content-security-policy',
            'x-frame-options',
            'x-content-type-options',
            'referrer-policy',
          ]) {
            expect(res.headers[name]).toBe(served.headers[name]);
          }
        }
        // What may be valid, or needs CORS headers, still goes the whole way.
        await client
          .get('/api/v1/operations/credits/balance', tokenFor(limited.config, { orgId: 'org_front' }))
          .expect(200);
        await client.get('/health').set('Origin', 'https://app.example').expect(429);
        expect(handle).toHaveBeenCalledTimes(2);
      } finally {
        handle.mockRestore();
      }
    });

    it('docs, health, metrics and the dashboard login all spend it, before anything else runs', async () => {
      const client = from('203.0.113.20');
      const paths = ['/health', '/health/ready', '/metrics', '/docs-json', '/admin/queues/login'];
      for (const path of paths) await client.get(path).expect(200);
      for (const path of paths) await client.get(path).expect(429);
      const post = await limited
        .http()
        .post('/admin/queues/session')
        .set('X-Forwarded-For', '203.0.113.20')
        .type('form')
        .send({ token: 'x' });
      expect(post.status).toBe(429);
    });

    it('without TRUST_PROXY, X-Forwarded-For is not believed (one budget for the socket address)', async () => {
      const direct = await createTestApp({
        RUN_WORKERS: 'false',
        RATE_LIMIT_ANON: '2',
        RATE_LIMIT_ANON_WINDOW_MS: '60000',
        // Its own counters: the other apps of this file count the same socket address.
        QUEUE_PREFIX: `${t.config.QUEUE_PREFIX}-direct`,
      });
      try {
        const statuses: number[] = [];
        for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
          const res = await direct.http().get('/health').set('X-Forwarded-For', ip);
          statuses.push(res.status);
        }
        expect(statuses).toEqual([200, 200, 429]);
      } finally {
        await direct.close();
      }
    });
  });

  describe('cheap probes', () => {
    it('concurrent /metrics scrapes share one read of PostgreSQL, reused for a few seconds', async () => {
      const outcomes = jest.spyOn(t.app.get(EnrichmentStatsService), 'outcomeCounts');
      try {
        const scrapes = await Promise.all(Array.from({ length: 10 }, () => t.http().get('/metrics')));
        expect(scrapes.map((res) => res.status)).toEqual(Array(10).fill(200));
        for (const res of scrapes) expect(res.text).toContain('credits_held');
        await t.http().get('/metrics').expect(200);
        expect(outcomes).toHaveBeenCalledTimes(1);
      } finally {
        outcomes.mockRestore();
      }
    });

    it('/health/ready answers from one check at most a second old, shared by concurrent probes', async () => {
      // The database ping of each readiness check is terminus's `SELECT 1` on the app's DataSource.
      const query = jest.spyOn(t.dataSource, 'query');
      const pings = () => query.mock.calls.filter(([sql]) => sql === 'SELECT 1').length;
      try {
        const probes = await Promise.all(Array.from({ length: 10 }, () => t.http().get('/health/ready')));
        expect(probes.map((res) => res.status)).toEqual(Array(10).fill(200));
        expect(pings()).toBeLessThanOrEqual(1);
        const before = pings();
        // Once the result is a second old, the next probe checks again.
        await waitFor(async () => {
          await t.http().get('/health/ready').expect(200);
          return pings() > before;
        });
      } finally {
        query.mockRestore();
      }
    });
  });

  describe('NUL and lone surrogates are a 400 naming the field', () => {
    it('in a filter value (body), raw or escaped', async () => {
      namesField(
        (await search(JSON.stringify({ filters: { job_title: ['a\u0000b'] } })).expect(400)).body,
        'filters.job_title.0',
      );
      namesField((await search('{"filters":{"job_title":["ok","\\ud800"]}}').expect(400)).body, 'filters.job_title.1');
      namesField((await search('{"filters":{"job_title":["\\udc00x"]}}').expect(400)).body, 'filters.job_title.0');
      await search(JSON.stringify({ filters: { job_title: ['Ingénieur 😀'] } })).expect(200);
    });

    it('in a webhook URL', async () => {
      const res = await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_front', role: Role.OWNER })}`)
        .send({ url: 'https://hooks.example.com/\u0000' })
        .expect(400);
      namesField(res.body, 'url');
    });

    it('in a grant description, and nothing is granted', async () => {
      const admin = tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN });
      const res = await t
        .http()
        .post('/api/v1/admin/orgs/org_front_nul/credits')
        .set('Authorization', `Bearer ${admin}`)
        .send({ amount: 10, source: 'manual', description: 'top-up \ud83d' })
        .expect(400);
      namesField(res.body, 'description');
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM credit_account WHERE org_id = 'org_front_nul'`,
      );
      expect(n).toBe(0);
    });

    it('in a query parameter', async () => {
      const res = await t
        .http()
        .get('/api/v1/operations/credits/history?startDate=2025%00')
        .set('Authorization', `Bearer ${member}`)
        .expect(400);
      namesField(res.body, 'startDate');
    });

    it('in a signed org_id or sub claim', async () => {
      for (const [claims, field] of [
        [{ orgId: 'org\u0000x' }, 'token.org_id'],
        [{ orgId: 'org_front', sub: 'user\udfff' }, 'token.sub'],
      ] as const) {
        const res = await t
          .http()
          .get('/api/v1/operations/credits/balance')
          .set('Authorization', `Bearer ${tokenFor(t.config, claims)}`)
          .expect(400);
        namesField(res.body, field);
      }
    });

    it('in the dashboard cookie, or a cookie that is not percent-encoding: 400, never 500', async () => {
      for (const value of ['%E0%A4%A', '%00', '%ED%A0%80']) {
        const res = await t.http().get('/admin/queues').set('Cookie', `ops_dashboard_token=${value}`);
        expect(res.status).toBe(400);
        namesField(res.body, 'cookie.ops_dashboard_token');
      }
    });
  });
});
