import { Redis } from 'ioredis';
import { loadConfig, RedisConnections } from '@app/core';
import { ProviderRateLimiter } from './provider-rate-limiter';

// Runs against the real Redis: the point of this limiter is what Redis does with its keys.
const REDIS_URL = 'redis://127.0.0.1:6379';
const LIMIT = 5;
const WINDOW_MS = 500;
/** Slack for timers and the round trip between Redis counting a call and the caller seeing it. */
const SLACK_MS = 30;

describe('ProviderRateLimiter (Redis)', () => {
  const prefix = `test-rl-${process.pid}-${Date.now()}`;
  const connections: RedisConnections[] = [];
  const redis = new Redis(REDIS_URL);

  /** A limiter with its own Redis client, as in a separate worker process. */
  function limiter(): ProviderRateLimiter {
    const config = loadConfig({
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      PROVIDER_RATE_LIMIT: String(LIMIT),
      PROVIDER_RATE_WINDOW_MS: String(WINDOW_MS),
    });
    const own = new RedisConnections(config);
    connections.push(own);
    return new ProviderRateLimiter(config, own);
  }

  /** Starts `count` acquires at once; resolves with when each got through, sorted, from the start. */
  async function acquireAll(count: number, pick: (i: number) => ProviderRateLimiter, provider: string) {
    const start = Date.now();
    const times = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        pick(i)
          .acquire(provider)
          .then(() => Date.now() - start),
      ),
    );
    return times.sort((a, b) => a - b);
  }

  /** No more than LIMIT calls may get through within any span shorter than the window. */
  function expectWithinLimit(times: number[]): void {
    for (let i = 0; i + LIMIT < times.length; i += 1) {
      expect(times[i + LIMIT] - times[i]).toBeGreaterThanOrEqual(WINDOW_MS - SLACK_MS);
    }
  }

  let subject: ProviderRateLimiter;
  beforeAll(() => {
    subject = limiter();
  });

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.onApplicationShutdown()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('delays (does not fail) calls beyond the limit until the next window', async () => {
    const times = await acquireAll(12, () => subject, 'vendor-a');
    expect(times[LIMIT - 1]).toBeLessThan(WINDOW_MS - SLACK_MS);
    expect(times[11]).toBeGreaterThanOrEqual(2 * WINDOW_MS - SLACK_MS);
    expectWithinLimit(times);
  });

  it('shares the limit between instances with separate Redis clients', async () => {
    const other = limiter();
    const times = await acquireAll(12, (i) => (i % 2 === 0 ? subject : other), 'vendor-b');
    expect(times[11]).toBeGreaterThanOrEqual(2 * WINDOW_MS - SLACK_MS);
    expectWithinLimit(times);
  });

  it('keeps a separate limit per provider', async () => {
    const times = await Promise.all([
      acquireAll(LIMIT, () => subject, 'vendor-c'),
      acquireAll(LIMIT, () => subject, 'vendor-d'),
    ]);
    expect(Math.max(...times.flat())).toBeLessThan(WINDOW_MS - SLACK_MS);
  });

  it('keeps its counts under the configured prefix, expiring with the (guarded) window', async () => {
    await subject.acquire('vendor-e');
    const ttl = await redis.pttl(`${prefix}:provider-rl:vendor-e`);
    expect(ttl).toBeGreaterThan(0);
    // The window plus its 3% (at least 10 ms) guard against delivery jitter.
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS + Math.max(10, Math.round(WINDOW_MS * 0.03)));
  });

  it('applies a provider’s own limit, and one bucket to providers that share it', async () => {
    const own = { requests: 2, windowMs: WINDOW_MS, bucket: 'vendor-f' };
    const start = Date.now();
    const times = await Promise.all(
      ['vendor-f-emails', 'vendor-f-phones', 'vendor-f-emails'].map((name) =>
        subject.acquire(name, own).then(() => Date.now() - start),
      ),
    );
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(WINDOW_MS - SLACK_MS);
    expect(times[2]).toBeGreaterThanOrEqual(WINDOW_MS - SLACK_MS);
    expect(await redis.exists(`${prefix}:provider-rl:vendor-f`)).toBe(1);
  });
});
