import { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig, RedisConnections } from '@app/core';

/** The Redis connection of the ops module: rate-limit counters and the readiness ping. */
export const OPS_REDIS = Symbol('OPS_REDIS');

/** How long one Redis command of this connection may take before it is given up. */
export const OPS_REDIS_TIMEOUT_MS = 500;

export const opsRedisProvider: Provider = {
  provide: OPS_REDIS,
  inject: [AppConfig, RedisConnections],
  useFactory: (config: AppConfig, connections: RedisConnections): Redis =>
    connections.create('ops', {
      // Every rate-limit key of this deployment lives under its prefix, next to its queues.
      keyPrefix: `${config.QUEUE_PREFIX}:ratelimit:`,
      // A request must never wait on an unreachable Redis: commands fail fast and the callers
      // decide (the rate limiter lets the request through, readiness reports "down").
      commandTimeout: OPS_REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
    }),
};
