import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig, RedisConnections } from '@app/core';
import type { ProviderRateLimit } from '../provider.interface';

/**
 * Why no window at the vendor ever holds more than `limit` calls, however late calls arrive.
 *
 * A call reaches the vendor some unknown time after it is admitted: the reply from Redis, the
 * event loop (seconds of lag on a saturated machine), the connection, the vendor's own loop.
 * A guard on the window only covers delays shorter than the guard, so instead a call keeps its
 * slot until it has *ended* — the vendor has answered, or we gave up — and for one window
 * after that. Each call is one entry of a sorted set (times are Redis server time in µs, one
 * clock for every process) scored with when its slot frees: admission + LEASE while in flight,
 * end + window once released. A call is admitted only while fewer than `limit` entries are
 * still unfreed.
 *
 * Take any `limit + 1` calls the vendor received within one window [x, x + W), and k the last
 * of them to be admitted (admissions are serialised by Redis), at time a_k. k was sent after
 * it was admitted, so a_k <= r_k < x + W. Every other call j of them was admitted before k;
 * at a_k it was either still in flight (its slot held), or it had ended at e_j, after the
 * vendor received it: e_j >= r_j >= x > a_k - W, so its slot (free at e_j + W > a_k) was
 * still held. So `limit` slots were held when k was admitted — which the script refuses. No
 * such window exists. This needs no bound on any delay; it relies only on causality (a call
 * is received after it is sent and before it is answered) and on the vendor's clock being
 * the machine's (for a remote vendor, clock skew is the only margin left to allow for).
 *
 * The price: a slot is held for the call's own duration too, so a slow vendor gets slightly
 * fewer calls per window than its limit allows — never more.
 */

/** How long an in-flight call may hold its slot unreleased (its worker died): longer than any vendor timeout. */
const IN_FLIGHT_LEASE_MS = 120_000;

/**
 * Admits a call or says how long to wait. KEYS[1] the bucket; ARGV[1] window µs, ARGV[2]
 * limit, ARGV[3] the call's member, ARGV[4] in-flight lease µs. Returns 0 when admitted, else
 * ms until the earliest slot frees (a waiter re-asks sooner when that is far: a call that
 * ends early frees its slot before its lease).
 */
const ADMIT_SCRIPT = `
local time = redis.call('time')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('zadd', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('pexpire', KEYS[1], math.ceil((tonumber(ARGV[4]) + tonumber(ARGV[1])) / 1000))
  return 0
end
local earliest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(math.ceil((tonumber(earliest[2]) - now) / 1000), 1)
`;

/**
 * The call ended: its slot frees one window from now. XX: a slot whose lease already ran out
 * is not brought back. KEYS[1] the bucket; ARGV[1] window µs; ARGV[2] the call's member.
 */
const RELEASE_SCRIPT = `
local time = redis.call('time')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('zadd', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
if redis.call('pttl', KEYS[1]) < tonumber(ARGV[1]) / 1000 then
  redis.call('pexpire', KEYS[1], math.ceil(tonumber(ARGV[1]) / 1000))
end
return 0
`;

/** One admitted call; `release` once it has ended (answered, failed or given up). */
export interface RateLimitSlot {
  release(): Promise<void>;
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
   * PROVIDER_RATE_LIMIT per PROVIDER_RATE_WINDOW_MS), waiting (not failing) until there is
   * room. The caller sends exactly one request with it and releases it when that request ended.
   */
  async acquire(providerName: string, limit: ProviderRateLimit = this.defaultLimit): Promise<RateLimitSlot> {
    const key = `${this.config.QUEUE_PREFIX}:provider-rl:${limit.bucket ?? providerName}`;
    const member = randomUUID();
    const windowUs = limit.windowMs * 1000;
    // Re-ask at least this often while waiting: a slot held by a call in flight frees when it ends.
    const pollMs = Math.max(5, Math.floor(limit.windowMs / 10));
    for (;;) {
      const waitMs = Number(
        await this.redis.eval(ADMIT_SCRIPT, 1, key, windowUs, limit.requests, member, IN_FLIGHT_LEASE_MS * 1000),
      );
      if (waitMs === 0) break;
      await delay(Math.min(waitMs, pollMs));
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.redis.eval(RELEASE_SCRIPT, 1, key, windowUs, member);
      },
    };
  }
}
