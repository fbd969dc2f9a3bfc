import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { QueueName } from '../libs/enrichment/src';
import { EnrichmentProcessingService } from '../libs/enrichment/src/services/enrichment-processing.service';
import { EnrichmentQueueService } from '../libs/enrichment/src/services/enrichment-queue.service';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { enrich, grant } from './support/requests';
import { createTestApp, leadIds, resetState, TestApp, waitFor } from './support/test-app';

async function statuses(
  t: TestApp,
  ids: string[],
): Promise<{ status: string; settled: boolean; error: string | null }[]> {
  return t.dataSource.query(
    'SELECT status, settled_at IS NOT NULL AS settled, error FROM enrichment WHERE id = ANY($1::uuid[])',
    [ids],
  );
}

describe('Faults: duplicate delivery, provider failures, Redis down', () => {
  it('a batch processed twice (even concurrently) settles each enrichment exactly once', async () => {
    const t = await createTestApp({ RUN_WORKERS: 'true' });
    try {
      await resetState(t.config, t.dataSource);
      // Hold the queue so the test, not the worker, runs the batch.
      await t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT)).pause(true);
      await grant(t, 'org_twice', 1000);
      const created = await enrich(t, 'org_twice', await leadIds(t.dataSource, 20, 700));
      const ids = created.map((row) => row.id);
      const processing = t.app.get(EnrichmentProcessingService);
      await Promise.all([processing.processBatch('job-a', ids), processing.processBatch('job-a', ids)]);
      await processing.processBatch('job-a', ids);
      await processing.processBatch('job-b', ids);

      const rows = await statuses(t, ids);
      expect(rows.every((row) => row.status === 'finished' && row.settled)).toBe(true);
      const settlements: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM credit_transaction WHERE org_id = 'org_twice' AND type IN ('credit_consumed', 'credit_released')`,
      );
      expect(settlements[0].n).toBe(20);
      const audit = await auditOrg(t.dataSource, 'org_twice');
      expect(audit.held).toBe(0);
      expect(audit.consumed + audit.released).toBe(100);
      expectLedgerConsistent(audit);
    } finally {
      await t.close();
    }
  });

  it('providers failing on every attempt: the enrichments fail with an error, holds are released, and a new request retries them with a new hold', async () => {
    const t = await createTestApp({
      RUN_WORKERS: 'true',
      SIM_ERROR_RATE: '1',
      JOB_ATTEMPTS: '2',
      JOB_BACKOFF_MS: '10',
    });
    try {
      await resetState(t.config, t.dataSource);
      await grant(t, 'org_fail', 1000);
      const leads = await leadIds(t.dataSource, 5, 900);
      const first = await enrich(t, 'org_fail', leads);
      const ids = first.map((row) => row.id);
      await waitFor(async () => (await statuses(t, ids)).every((row) => row.status === 'failed'));
      const rows = await statuses(t, ids);
      expect(rows.every((row) => row.settled && /503/.test(row.error ?? ''))).toBe(true);
      const audit = await auditOrg(t.dataSource, 'org_fail');
      expect(audit).toMatchObject({ available: 1000, held: 0, released: 25, consumed: 0 });
      expectLedgerConsistent(audit);

      const retried = await enrich(t, 'org_fail', leads);
      expect(retried.map((row) => row.id)).toEqual(ids);
      for (const row of retried) {
        expect(row.status).toBe('pending');
        expect(row.error).toBeNull();
        expect(row.creditTransactionId).not.toBe(first[0].creditTransactionId);
      }
      await waitFor(async () => (await statuses(t, ids)).every((row) => row.status === 'failed'));
      expectLedgerConsistent(await auditOrg(t.dataSource, 'org_fail'));
    } finally {
      await t.close();
    }
  });

  it('Redis unreachable at enqueue: the request still succeeds, and the recovery sweep queues the work later', async () => {
    const down = await createTestApp({ RUN_WORKERS: 'false', REDIS_URL: 'redis://127.0.0.1:1' });
    let ids: string[];
    try {
      await resetState({ ...down.config, REDIS_URL: 'redis://127.0.0.1:6379' }, down.dataSource);
      await grant(down, 'org_redis', 1000);
      const created = await enrich(down, 'org_redis', await leadIds(down.dataSource, 12, 1200));
      ids = created.map((row) => row.id);
      expect(created.every((row) => row.status === 'pending')).toBe(true);
    } finally {
      await down.close();
    }

    const up = await createTestApp({ RUN_WORKERS: 'true', RECOVERY_STALE_AFTER_MS: '0' });
    try {
      // None of their jobs reached Redis: the sweep finds all 12 without a live job.
      expect(await up.app.get(EnrichmentQueueService).recoverPending('test')).toBe(12);
      expect(await up.app.get(EnrichmentQueueService).recoverPending('again')).toBe(0);
      await waitFor(async () => (await statuses(up, ids)).every((row) => row.status === 'finished'));
      const audit = await auditOrg(up.dataSource, 'org_redis');
      expect(audit.held).toBe(0);
      expectLedgerConsistent(audit);
    } finally {
      await up.close();
    }
  });

  it('Redis flushed with work queued: the periodic sweep (which lives in the process, not in Redis) re-queues it', async () => {
    const t = await createTestApp({
      RUN_WORKERS: 'true',
      RECOVERY_SWEEP_INTERVAL_MS: '200',
      RECOVERY_STALE_AFTER_MS: '0',
    });
    try {
      await resetState(t.config, t.dataSource);
      const queue = t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
      await queue.pause(true);
      await grant(t, 'org_flush', 1000);
      const created = await enrich(t, 'org_flush', await leadIds(t.dataSource, 8, 1300));
      // Everything this deployment keeps in Redis is gone, jobs included.
      await resetRedisOnly(t);
      await queue.resume(true);
      const ids = created.map((row) => row.id);
      await waitFor(async () => (await statuses(t, ids)).every((row) => row.status === 'finished'));
      const audit = await auditOrg(t.dataSource, 'org_flush');
      expect(audit.held).toBe(0);
      expectLedgerConsistent(audit);
    } finally {
      await t.close();
    }
  });
});

async function resetRedisOnly(t: TestApp): Promise<void> {
  const redis = new Redis(t.config.REDIS_URL);
  try {
    const keys = await redis.keys(`${t.config.QUEUE_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
