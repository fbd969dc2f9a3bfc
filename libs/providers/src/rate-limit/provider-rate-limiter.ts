import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '@app/core';

/**
 * The library's own script sets the window with EXPIRE, in whole seconds, and for windows
 * under a second it sets none at all (the count would never reset). This one is the same
 * fixed window — it opens at the first call and lasts the window — but in milliseconds
 * (PX / PEXPIRE). ARGV[1] is the points consumed, ARGV[2] the window length.
 */
const INCR_PTTL_SCRIPT = `
redis.call('set', KEYS[1], 0, 'PX', ARGV[2], 'NX')
local consumed = redis.call('incrby', KEYS[1], ARGV[1])
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('pexpire', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {consumed, ttl}
`;

/**
 * Caps the calls to each provider at PROVIDER_RATE_LIMIT per PROVIDER_RATE_WINDOW_MS. The
 * count lives in Redis, so the cap holds across all worker processes together.
 */
@Injectable()
export class ProviderRateLimiter implements OnModuleDestroy {
  // The offline queue stays on (unlike the library's middleware examples, which fail fast):
  // a worker should wait out a Redis reconnect rather than fail the job; if Redis stays down,
  // ioredis gives up after its per-request retries and the job is retried with backoff.
  private readonly redis: Redis;
  private readonly limiter: RateLimiterRedis;

  constructor(config: AppConfig) {
    // Connects on first use: a process that fails to boot after this is built holds no socket.
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true });
    this.limiter = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${config.QUEUE_PREFIX}:provider-rl`,
      points: config.PROVIDER_RATE_LIMIT,
      // Milliseconds, not the library's seconds: it hands floor(duration * 1000 / 1000) to
      // the script as ARGV[2] and reads the remaining time back from PTTL, so with the
      // script above every window length works, including sub-second ones.
      duration: config.PROVIDER_RATE_WINDOW_MS,
      customIncrTtlLuaScript: INCR_PTTL_SCRIPT,
    });
  }

  /** Takes one call's worth of the provider's limit, waiting (not failing) until there is room. */
  async acquire(providerName: string): Promise<void> {
    for (;;) {
      try {
        await this.limiter.consume(providerName);
        return;
      } catch (rejection) {
        // Anything but a "limit reached" answer is a Redis failure: let the job retry.
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // At least 1 ms: the key can outlive its PTTL by a moment (reported as 0).
        await delay(Math.max(rejection.msBeforeNext, 1));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    // quit() waits for pending replies, but would first open a connection that was never used.
    if (this.redis.status === 'wait') this.redis.disconnect();
    else await this.redis.quit();
  }
}
