import Redis from 'ioredis';
import { TEST_QUEUE_PREFIX } from './support/global-setup';
import globalTeardown from './support/global-teardown';

/** The shared Redis outlives a test run: the run's teardown deletes what the run wrote, and only that. */
describe('the e2e run’s teardown', () => {
  const redis = new Redis(process.env.REDIS_URL ?? '');
  const runPrefix = process.env[TEST_QUEUE_PREFIX];
  afterAll(async () => {
    process.env[TEST_QUEUE_PREFIX] = runPrefix;
    redis.disconnect();
  });

  it("deletes every key under the run's prefix and the prefixes derived from it, and nothing else", async () => {
    const prefix = `enrichment-teardown-spec-${process.pid}`;
    const ours = [`${prefix}:webhooks:deliver:1`, `${prefix}:enrichment:id`, `${prefix}-npm-start:enrichment:wait`];
    const others = [`${prefix}x:kept`, `other-${prefix}:kept`];
    for (const key of [...ours, ...others]) await redis.set(key, '1');
    process.env[TEST_QUEUE_PREFIX] = prefix;
    await globalTeardown();
    for (const key of ours) expect(await redis.exists(key)).toBe(0);
    for (const key of others) expect(await redis.exists(key)).toBe(1);
    await redis.del(...others);
  });
});
