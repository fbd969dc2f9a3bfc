import Redis from 'ioredis';
import { TEST_QUEUE_PREFIX } from './global-setup';

/**
 * Deletes every Redis key this run wrote (the shared Redis outlives it): its prefix, and the
 * prefixes derived from it (`<prefix>-<name>`) by tests that start servers of their own. The
 * last test file's queues, rate-limit counters and webhook jobs would otherwise stay behind.
 */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env[TEST_QUEUE_PREFIX];
  if (!prefix) return;
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    await deleteByPattern(redis, `${prefix}:*`);
    await deleteByPattern(redis, `${prefix}-*`);
  } finally {
    redis.disconnect();
  }
}

async function deleteByPattern(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
