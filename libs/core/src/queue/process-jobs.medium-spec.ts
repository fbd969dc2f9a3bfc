import { Logger } from '@nestjs/common';
import Bull from 'bull';
import { Redis, type RedisOptions } from 'ioredis';
import { processAllJobs } from './process-jobs';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test-process-jobs-${process.pid}-${Date.now()}`;

describe('processAllJobs (real Redis)', () => {
  const logged: string[] = [];
  const logger = new Logger('process-jobs-test');
  jest.spyOn(logger, 'warn').mockImplementation((message: unknown) => void logged.push(String(message)));
  jest.spyOn(logger, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));

  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  beforeEach(() => {
    logged.length = 0;
  });

  /**
   * Clients made as Bull makes its own, or as the app makes them (RedisConnections: an error
   * listener each). Made here either way, so the test can close them: Bull's close reconnects its
   * blocking client, and RedisConnections closes every client after the queues at shutdown.
   */
  function queue(name: string, clients: 'bull' | 'app'): { queue: Bull.Queue<{ n: number }>; made: Redis[] } {
    const made: Redis[] = [];
    const createClient = (type: string, options?: RedisOptions) => {
      const client = new Redis(
        REDIS_URL,
        type === 'client' ? (options ?? {}) : { ...options, maxRetriesPerRequest: null, enableReadyCheck: false },
      );
      if (clients === 'app') client.on('error', () => undefined);
      made.push(client);
      return client;
    };
    return { queue: new Bull<{ n: number }>(name, REDIS_URL, { prefix, createClient }), made };
  }

  /**
   * An unhandled rejection fails the test that is running (jest-circus listens for them); they are
   * reported once the microtasks of a turn have run, so the test waits a few turns after close.
   */
  const turns = async () => {
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };

  it.each(['bull', 'app'] as const)(
    'closed before its clients are ready (%s clients): no unhandled rejection (it would fail the test), nothing logged',
    async (clients) => {
      for (let i = 0; i < 5; i += 1) {
        const { queue: bull, made } = queue(`closed-${clients}-${i}`, clients);
        processAllJobs(bull, 2, async () => undefined, logger);
        await bull.close();
        for (const client of made) client.disconnect();
      }
      await turns();
      expect(logged).toEqual([]);
    },
  );

  it('runs the jobs of a queue that stays open, and stops quietly when it closes', async () => {
    const { queue: bull, made } = queue('open', 'app');
    const done: number[] = [];
    let finish: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (finish = resolve));
    processAllJobs(
      bull,
      2,
      async (job) => {
        done.push(job.data.n);
        if (done.length === 3) finish();
      },
      logger,
    );
    await Promise.all([1, 2, 3].map((n) => bull.add('any', { n })));
    await all;
    expect(done.sort()).toEqual([1, 2, 3]);
    await bull.close();
    for (const client of made) client.disconnect();
    await turns();
    expect(logged).toEqual([]);
  });
});
