import Redis from 'ioredis';
import { buildOpenApiDocument } from '../apps/api/src/openapi/openapi-document';
import { Role } from '../libs/auth/src';
import { createTestApp, resetState, TestApp, tokenFor } from './support/test-app';

const LIMIT = 5;

function balance(t: TestApp, orgId: string, role = Role.MEMBER) {
  return t
    .http()
    .get('/api/v1/operations/credits/balance')
    .set('Authorization', `Bearer ${tokenFor(t.config, { orgId, role })}`);
}

describe('Per-org rate limiting (Redis-backed, across processes)', () => {
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    // Two app instances with their own Redis connections: what two API processes share is Redis only.
    one = await createTestApp({ RUN_WORKERS: 'false', RATE_LIMIT: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' });
    two = await createTestApp({ RUN_WORKERS: 'false', RATE_LIMIT: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' });
    await resetState(one.config, one.dataSource);
  });

  afterAll(async () => {
    await one.close();
    await two.close();
  });

  it('one budget per org shared by both processes: RateLimit-* headers on every answer, then 429 RATE_LIMITED with Retry-After', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await balance(i % 2 === 0 ? one : two, 'org_rl_shared').expect(200);
      expect(res.headers['ratelimit-limit']).toBe(String(LIMIT));
      const reset = Number(res.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
      remaining.push(Number(res.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);

    for (const app of [one, two]) {
      const limited = await balance(app, 'org_rl_shared').expect(429);
      expect(limited.body).toEqual({
        error: {
          code: 'RATE_LIMITED',
          message: expect.any(String),
          details: { limit: LIMIT, windowSeconds: 60, retryAfterSeconds: expect.any(Number) },
        },
      });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.error.details.retryAfterSeconds).toBe(retryAfter);
      expect(limited.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      expect(limited.headers['ratelimit-reset']).toBe(String(retryAfter));
    }

    // The counters live under the deployment's Redis prefix.
    const redis = new Redis(one.config.REDIS_URL);
    try {
      const keys = await redis.keys(`${one.config.QUEUE_PREFIX}:ratelimit:*org:org_rl_shared*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('keyed by the org of the token (the limit runs after authentication): another org from the same address is not limited', async () => {
    for (let i = 0; i <= LIMIT; i++) await balance(one, 'org_rl_greedy');
    await balance(one, 'org_rl_greedy').expect(429);
    const other = await balance(two, 'org_rl_other').expect(200);
    expect(other.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('refused requests (401) spend nothing, and health, metrics and docs are never limited', async () => {
    for (let i = 0; i < LIMIT * 2; i++) {
      await one.http().get('/api/v1/operations/credits/balance').set('Authorization', 'Bearer nope').expect(401);
    }
    const first = await balance(one, 'org_rl_after_401').expect(200);
    expect(first.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));

    for (let i = 0; i < LIMIT * 2; i++) {
      for (const path of ['/health', '/health/ready', '/metrics', '/docs-json']) {
        const res = await one.http().get(path).expect(200);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
    }
  });

  it('the OpenAPI document lists the 429 with its headers on limited routes, with Retry-After only on health and metrics', () => {
    const document = buildOpenApiDocument(one.app, one.config);
    const bulk = document.paths['/api/v1/operations/enrichment/bulk'].post!.responses['429'] as {
      headers: Record<string, unknown>;
    };
    expect(Object.keys(bulk.headers).sort()).toEqual([
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ]);
    expect(document.paths['/api/v1/operations/credits/balance'].get!.responses['429']).toBeDefined();
    // Not org-limited, but the per-IP budget for requests without a valid credential can answer
    // 429 anywhere: documented with Retry-After only.
    for (const path of ['/health', '/health/ready', '/metrics', '/admin/queues']) {
      const anonymous = document.paths[path].get!.responses['429'] as { headers: Record<string, unknown> };
      expect(Object.keys(anonymous.headers)).toEqual(['Retry-After']);
    }
  });
});
