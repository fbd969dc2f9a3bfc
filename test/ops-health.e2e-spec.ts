import Redis from 'ioredis';
import { createTestApp, tokenFor } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Health, readiness and request ids', () => {
  it('GET /health and /health/ready answer 200 in terminus shape, without a token and without rate-limit headers', async () => {
    const t = await createTestApp({ RUN_WORKERS: 'false' });
    try {
      const live = await t.http().get('/health').expect(200);
      expect(live.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
      expect(live.headers['ratelimit-limit']).toBeUndefined();

      const ready = await t.http().get('/health/ready').expect(200);
      const providers = {
        status: 'up',
        providers: [
          { name: 'sim-email-alpha', field: 'emails', state: 'up' },
          { name: 'sim-email-beta', field: 'emails', state: 'up' },
          { name: 'sim-phone-alpha', field: 'phones', state: 'up' },
          { name: 'sim-phone-beta', field: 'phones', state: 'up' },
        ],
      };
      const up = { database: { status: 'up' }, redis: { status: 'up' }, providers };
      expect(ready.body).toEqual({ status: 'ok', info: up, error: {}, details: up });
      expect(ready.headers['ratelimit-limit']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('a disabled provider shows in the details without failing readiness, and its reason stays private', async () => {
    const t = await createTestApp({ RUN_WORKERS: 'false' });
    const redis = new Redis(t.config.REDIS_URL);
    const key = `${t.config.QUEUE_PREFIX}:provider-disabled:sim-email-alpha:none`;
    try {
      await redis.set(key, 'HTTP 401 from vendor: key sk_live_secret refused', 'PX', 60000);
      const ready = await t.http().get('/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.details.providers.providers).toContainEqual({
        name: 'sim-email-alpha',
        field: 'emails',
        state: 'disabled',
      });
      expect(JSON.stringify(ready.body)).not.toContain('sk_live_secret');
    } finally {
      await redis.del(key);
      redis.disconnect();
      await t.close();
    }
  });

  it('Redis unreachable: readiness is 503 naming redis (no connection details), liveness stays 200, the API still serves', async () => {
    const down = await createTestApp({ RUN_WORKERS: 'false', REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const ready = await down.http().get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({
        status: 'error',
        info: { database: { status: 'up' } },
        error: { redis: { status: 'down', message: 'Redis did not answer' } },
        details: { database: { status: 'up' }, redis: { status: 'down', message: 'Redis did not answer' } },
      });
      expect(Object.keys(ready.body.error)).toEqual(['redis']);
      expect(JSON.stringify(ready.body)).not.toMatch(/127\.0\.0\.1|redis:\/\/|postgres:\/\//);
      await down.http().get('/health').expect(200);

      // The rate limiter cannot count without Redis: it lets the request through instead of failing it.
      const balance = await down
        .http()
        .get('/api/v1/operations/credits/balance')
        .set('Authorization', `Bearer ${tokenFor(down.config, { orgId: 'org_redis_down' })}`)
        .expect(200);
      expect(balance.headers['ratelimit-limit']).toBeUndefined();
    } finally {
      await down.close();
    }
  });

  it('every response carries X-Request-Id: a sane incoming id is kept, an insane one replaced', async () => {
    const t = await createTestApp({ RUN_WORKERS: 'false' });
    try {
      const kept = await t.http().get('/health').set('X-Request-Id', 'trace-42.abc_DEF').expect(200);
      expect(kept.headers['x-request-id']).toBe('trace-42.abc_DEF');

      const minted = await t.http().get('/health').expect(200);
      expect(minted.headers['x-request-id']).toMatch(UUID);

      for (const insane of ['has spaces in it', 'x'.repeat(101), 'semi;colon', '<script>']) {
        const replaced = await t.http().get('/health').set('X-Request-Id', insane).expect(200);
        expect(replaced.headers['x-request-id']).toMatch(UUID);
      }

      // Errors too: the id a client would quote to support.
      const error = await t
        .http()
        .get('/api/v1/operations/credits/balance')
        .set('X-Request-Id', 'ticket-7')
        .expect(401);
      expect(error.headers['x-request-id']).toBe('ticket-7');
    } finally {
      await t.close();
    }
  });
});
