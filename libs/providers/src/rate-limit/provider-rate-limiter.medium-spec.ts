import { setTimeout as delay } from 'node:timers/promises';
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
          .then(async (slot) => {
            const at = Date.now() - start;
            await slot.release();
            return at;
          }),
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

  it('keeps its counts under the configured prefix, expiring once every slot could be free', async () => {
    const slot = await subject.acquire('vendor-e');
    const ttl = await redis.pttl(`${prefix}:provider-rl:vendor-e`);
    expect(ttl).toBeGreaterThan(0);
    // An unreleased slot (its worker died) is held for the in-flight lease, then one window.
    expect(ttl).toBeLessThanOrEqual(120_000 + WINDOW_MS);
    await slot.release();
  });

  it('never lets more than the limit reach the vendor within any window, whatever the delivery delay', async () => {
    // Each call reaches the "vendor" 0-150 ms after it was admitted (a loaded machine), then is
    // answered; a guard on the window would have to exceed the worst delay to hold.
    const other = limiter();
    const received: number[] = [];
    const caller = async (instance: ProviderRateLimiter, calls: number) => {
      for (let i = 0; i < calls; i++) {
        const slot = await instance.acquire('vendor-g');
        await delay(Math.random() * 150);
        received.push(Date.now());
        await delay(Math.random() * 20);
        await slot.release();
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => caller(i % 2 === 0 ? subject : other, 4)));
    received.sort((a, b) => a - b);
    expect(received).toHaveLength(24);
    for (let i = 0; i + LIMIT < received.length; i += 1) {
      expect(received[i + LIMIT] - received[i]).toBeGreaterThanOrEqual(WINDOW_MS);
    }
  });

  it('applies a provider’s own limit, and one bucket to providers that share it', async () => {
    const own = { requests: 2, windowMs: WINDOW_MS, bucket: 'vendor-f' };
    const start = Date.now();
    const times = await Promise.all(
      ['vendor-f-emails', 'vendor-f-phones', 'vendor-f-emails'].map((name) =>
        subject.acquire(name, own).then(async (slot) => {
          const at = Date.now() - start;
          await slot.release();
          return at;
        }),
      ),
    );
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(WINDOW_MS - SLACK_MS);
    expect(times[2]).toBeGreaterThanOrEqual(WINDOW_MS - SLACK_MS);
    expect(await redis.exists(`${prefix}:provider-rl:vendor-f`)).toBe(1);
  });
});
