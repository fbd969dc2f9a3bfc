import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Role } from '../libs/auth/src';
import { QueueName } from '../libs/enrichment/src';
import { EnrichmentQueueService } from '../libs/enrichment/src/services/enrichment-queue.service';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

/** The recovery sweep re-queues only work that is really orphaned, whatever moves while it looks. */
describe('Recovery sweep: no false re-queues', () => {
  let t: TestApp;
  let queue: Queue;

  beforeAll(async () => {
    // No processors: the test decides what happens to the jobs.
    t = await createTestApp({ RUN_WORKERS: 'false', RECOVERY_STALE_AFTER_MS: '0' });
    queue = t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));
  afterEach(() => jest.restoreAllMocks());

  async function request(orgId: string, count: number, offset: number): Promise<string[]> {
    await t
      .http()
      .post(`/api/v1/admin/orgs/${orgId}/credits`)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
      .send({ amount: 1000, source: 'manual' })
      .expect(201);
    const res = await t
      .http()
      .post('/api/v1/operations/enrichment/bulk')
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId })}`)
      .send({ selection: { mode: 'manual', includedIds: await leadIds(t.dataSource, count, offset) }, field: 'emails' })
      .expect(201);
    return (res.body as { id: string }[]).map((row) => row.id);
  }

  it('leaves pending work alone while its job waits in the queue', async () => {
    await request('org_recover_wait', 6, 100);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 1 });
    expect(await t.app.get(EnrichmentQueueService).recoverPending('s1')).toBe(0);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 1 });
  });

  it('does not re-queue rows a worker claimed after the sweep listed them', async () => {
    const ids = await request('org_recover_race', 6, 200);
    // The job is gone from Redis (completed and trimmed by removeOnComplete) ...
    await queue.empty();
    // ... and a worker claims the rows between the sweep's read of the rows and its look at
    // the queue: reproduced by claiming them just before the sweep's Redis snapshot runs.
    const multi = queue.client.multi.bind(queue.client);
    jest.spyOn(queue.client, 'multi').mockImplementationOnce(() => {
      const pipeline = multi();
      const exec = pipeline.exec.bind(pipeline);
      pipeline.exec = async () => {
        await t.dataSource.query(
          `UPDATE enrichment SET status = 'processing', processing_started_at = now() WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        return exec();
      };
      return pipeline;
    });
    expect(await t.app.get(EnrichmentQueueService).recoverPending('s2')).toBe(0);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  });

  it('re-queues pending rows whose job is gone, once', async () => {
    const ids = await request('org_recover_gone', 6, 300);
    await queue.empty();
    expect(await t.app.get(EnrichmentQueueService).recoverPending('s3')).toBe(6);
    expect(await t.app.get(EnrichmentQueueService).recoverPending('s4')).toBe(0);
    const jobs = await queue.getWaiting();
    expect(jobs.flatMap((job) => job.data.enrichmentIds).sort()).toEqual([...ids].sort());
  });
});
