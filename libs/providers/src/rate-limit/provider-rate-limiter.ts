import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig, RedisConnections } from '@app/core';
import type { ProviderRateLimit } from '../provider.interface';

/**
 * A sliding-window log: the bucket is a sorted set of call times (Redis server time, so every
 * process shares one clock). A call is admitted only while fewer than `limit` calls fall in
 * the last `window` ms, so no span of `window` ms ever holds more than `limit` calls — a
 * fixed window would let two windows' worth pile up around their boundary, which a vendor
 * counting a sliding window rejects. Returns 0 when admitted, else the ms until a slot frees.
 * KEYS[1] bucket; ARGV[1] window ms (with the guard below); ARGV[2] limit; ARGV[3] a unique member.
 */
const SLIDING_WINDOW_SCRIPT = `
local time = redis.call('time')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('zadd', KEYS[1], now, ARGV[3])
  redis.call('pexpire', KEYS[1], window)
  return 0
end
local oldest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(tonumber(oldest[2]) + window - now, 1)
`;

/**
 * Calls leave this process a moment after Redis admits them, and that moment varies; so the
 * window is kept 3% longer (at least 10 ms) than the vendor's, lest two calls admitted one
 * window apart reach the vendor a little closer together.
 */
function guardedWindowMs(windowMs: number): number {
  return windowMs + Math.max(10, Math.round(windowMs * 0.03));
}

/**
 * Caps the calls to each provider at its own limit (PROVIDER_RATE_LIMIT per
 * PROVIDER_RATE_WINDOW_MS unless the provider declares one, e.g. HUNTER_RATE_LIMIT). The
 * log lives in Redis, so the cap holds across all worker processes together.
 */
@Injectable()
export class ProviderRateLimiter {
  // The offline queue stays on: a worker should wait out a Redis reconnect rather than fail
  // the job; if Redis stays down, ioredis gives up after its per-request retries and the job
  // is retried with backoff.
  private readonly redis: Redis;
  private readonly defaultLimit: ProviderRateLimit;

  constructor(
    private readonly config: AppConfig,
    connections: RedisConnections,
  ) {
    // Connects on first use: a process that fails to boot after this is built holds no socket.
    this.redis = connections.create('provider-rate-limiter', { lazyConnect: true });
    this.defaultLimit = { requests: config.PROVIDER_RATE_LIMIT, windowMs: config.PROVIDER_RATE_WINDOW_MS };
  }

  /**
   * Takes one call's worth of the provider's limit (its own when given, else
   * PROVIDER_RATE_LIMIT per PROVIDER_RATE_WINDOW_MS), waiting (not failing) until there is room.
   */
  async acquire(providerName: string, limit: ProviderRateLimit = this.defaultLimit): Promise<void> {
    const key = `${this.config.QUEUE_PREFIX}:provider-rl:${limit.bucket ?? providerName}`;
    for (;;) {
      const waitMs = Number(
        await this.redis.eval(
          SLIDING_WINDOW_SCRIPT,
          1,
          key,
          guardedWindowMs(limit.windowMs),
          limit.requests,
          randomUUID(),
        ),
      );
      if (waitMs === 0) return;
      await delay(waitMs);
    }
  }
}
