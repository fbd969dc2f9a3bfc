import { Logger } from '@nestjs/common';
import Bull from 'bull';
import { Redis } from 'ioredis';
import { OutboxDispatcher } from './outbox-dispatcher';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test-outbox-${process.pid}-${Date.now()}`;

interface Data {
  ids: string[];
}

describe('OutboxDispatcher (real Redis)', () => {
  const queues: Bull.Queue<Data>[] = [];
  const warnings: string[] = [];
  const logger = new Logger('outbox-test');
  jest.spyOn(logger, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));

  function dispatcher(name: string, url = REDIS_URL): { queue: Bull.Queue<Data>; outbox: OutboxDispatcher<Data> } {
    // A dead Redis must fail fast rather than queue commands for ever.
    const queue = new Bull<Data>(name, url, {
      prefix,
      redis: { maxRetriesPerRequest: 1, enableOfflineQueue: url === REDIS_URL },
    });
    queues.push(queue);
    const outbox = new OutboxDispatcher(queue, {
      jobName: 'run',
      jobOptions: () => ({ attempts: 3, backoff: { type: 'exponential', delay: 1000 } }),
      noun: 'test jobs',
      sweep: 'the test sweep',
      logger,
    });
    return { queue, outbox };
  }

  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('adds jobs under their ids with the outbox’s name and options; an id already queued adds nothing', async () => {
    const { queue, outbox } = dispatcher('add');
    expect(await outbox.add([{ jobId: 'a', data: { ids: ['1'] } }])).toBe(true);
    expect(await outbox.add([{ jobId: 'a', data: { ids: ['2'] } }])).toBe(true);
    const job = await queue.getJob('a');
    expect(job?.name).toBe('run');
    expect(job?.data).toEqual({ ids: ['1'] });
    expect(job?.opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
    expect(await queue.getWaitingCount()).toBe(1);
  });

  it('one job goes as a single add, several as one addBulk: the same jobs either way', async () => {
    const { queue, outbox } = dispatcher('single');
    const add = jest.spyOn(queue, 'add');
    const addBulk = jest.spyOn(queue, 'addBulk');
    expect(await outbox.add([{ jobId: 'one', data: { ids: ['1'] } }])).toBe(true);
    expect(await outbox.add([{ jobId: 'one', data: { ids: ['9'] } }])).toBe(true);
    expect([add.mock.calls.length, addBulk.mock.calls.length]).toEqual([2, 0]);
    expect(
      await outbox.add([
        { jobId: 'two', data: { ids: ['2'] } },
        { jobId: 'three', data: { ids: ['3'] } },
      ]),
    ).toBe(true);
    expect([add.mock.calls.length, addBulk.mock.calls.length]).toEqual([2, 1]);
    const jobs = await Promise.all(['one', 'two', 'three'].map((id) => queue.getJob(id)));
    expect(jobs.map((job) => [job?.name, job?.data, job?.opts.attempts, job?.opts.removeOnComplete])).toEqual([
      ['run', { ids: ['1'] }, 3, 1000],
      ['run', { ids: ['2'] }, 3, 1000],
      ['run', { ids: ['3'] }, 3, 1000],
    ]);
    expect(await queue.getWaitingCount()).toBe(3);
  });

  it('finds the rows whose job is not live (none, or finished), and frees finished ids for a new job', async () => {
    const { queue, outbox } = dispatcher('sweep');
    await outbox.add([{ jobId: 'done', data: { ids: [] } }]);
    // Taken by a worker (active) and completed, as a processor would.
    const taken: Bull.Job<Data> | undefined = await queue.getNextJob();
    expect(taken?.id).toBe('done');
    await taken?.moveToCompleted('ok', false, true);
    await outbox.add([{ jobId: 'live', data: { ids: [] } }]);
    const rows = [{ job: 'live' }, { job: 'done' }, { job: null }, { job: 'gone' }];
    const orphans = await outbox.withoutLiveJob(rows, (row) => row.job);
    expect(orphans).toEqual([{ job: 'done' }, { job: null }, { job: 'gone' }]);

    await outbox.releaseIds(['done', 'gone']);
    await outbox.add([{ jobId: 'done', data: { ids: ['again'] } }]);
    expect(await (await queue.getJob('done'))?.getState()).toBe('waiting');
  });

  it('never throws when Redis does not answer: false, and a warning naming what the sweep will do', async () => {
    const { outbox } = dispatcher('dead', 'redis://127.0.0.1:1');
    expect(await outbox.add([{ jobId: 'x', data: { ids: [] } }])).toBe(false);
    expect(
      warnings.some((line) => line.startsWith('Could not queue 1 test jobs, leaving them to the test sweep')),
    ).toBe(true);
  });
});
