import { Logger, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@app/core';

/** The Redis connection of the ops module: rate-limit counters and the readiness ping. */
export const OPS_REDIS = Symbol('OPS_REDIS');

/** How long one Redis command of this connection may take before it is given up. */
export const OPS_REDIS_TIMEOUT_MS = 500;

export const opsRedisProvider: Provider = {
  provide: OPS_REDIS,
  inject: [AppConfig],
  useFactory: (config: AppConfig): Redis => {
    const logger = new Logger('OpsRedis');
    const redis = new Redis(config.REDIS_URL, {
      // Every rate-limit key of this deployment lives under its prefix, next to its queues.
      keyPrefix: `${config.QUEUE_PREFIX}:ratelimit:`,
      // A request must never wait on an unreachable Redis: commands fail fast and the callers
      // decide (the rate limiter lets the request through, readiness reports "down").
      commandTimeout: OPS_REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
    });
    let reported = false;
    redis.on('error', (error: Error) => {
      // ioredis reconnects on its own; one warning per outage is enough.
      if (!reported) logger.warn(`Redis unavailable: ${error.message}`);
      reported = true;
    });
    redis.on('ready', () => {
      reported = false;
    });
    return redis;
  },
};
