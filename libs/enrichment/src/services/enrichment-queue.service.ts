import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, OutboxDispatcher, queryRows } from '@app/core';
import { EnrichmentStatus } from '../enrichment.types';
import { JobDataMap, JobName, QueueName } from '../jobs/enrichment-jobs';

type EnrichmentQueue = Queue<JobDataMap[JobName]>;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * The producer side of the enrichment queue: the `enrichment` table is the outbox (pending
 * rows name their batch job), the Bull side is the shared OutboxDispatcher. A job is only a
 * pointer to pending rows, so a lost job (Redis down, flushed, a crash between commit and
 * enqueue) is re-created by the recovery sweep, and a duplicate job is harmless because
 * processing claims rows idempotently.
 */
@Injectable()
export class EnrichmentQueueService {
  private readonly logger = new Logger(EnrichmentQueueService.name);
  private readonly outbox: OutboxDispatcher<JobDataMap[JobName]>;

  constructor(
    @InjectQueue(QueueName.ENRICHMENT) queue: EnrichmentQueue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.outbox = new OutboxDispatcher(queue, {
      jobName: JobName.ENRICH_BATCH,
      jobOptions: () => ({
        attempts: this.config.JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.JOB_BACKOFF_MS },
      }),
      noun: 'batch jobs',
      sweep: 'the recovery sweep',
      logger: this.logger,
    });
  }

  /**
   * Queues the batch jobs of a request; never throws. The rows already name their job (set
   * when they were inserted), so a job that does not reach Redis is found by the recovery
   * sweep: pending, and its job not live.
   */
  async enqueue(jobs: ReadonlyMap<string, readonly string[]>): Promise<void> {
    await this.addBatches([...jobs].map(([jobId, ids]) => ({ jobId, ids: [...ids] })));
  }

  /**
   * Finds pending enrichments that have waited too long without a live job, and abandoned
   * `processing` claims of dead workers, and queues them again. Returns how many it queued.
   */
  async recoverPending(sweepId: string): Promise<number> {
    const staleMs = this.config.RECOVERY_STALE_AFTER_MS;
    await this.dataSource.query(
      `UPDATE enrichment SET status = $1, updated_at = now()
        WHERE status = $2 AND processing_started_at < now() - make_interval(secs => $3::double precision / 1000)`,
      [EnrichmentStatus.PENDING, EnrichmentStatus.PROCESSING, this.config.PROCESSING_LEASE_MS],
    );
    const candidates: { id: string; job_id: string | null; credit_transaction_id: string }[] =
      await this.dataSource.query(
        `SELECT id, job_id, credit_transaction_id FROM enrichment
          WHERE status = $1 AND coalesce(queued_at, updated_at) < now() - make_interval(secs => $2::double precision / 1000)
          ORDER BY credit_transaction_id, id
          LIMIT 10000`,
        [EnrichmentStatus.PENDING, staleMs],
      );
    const orphans = await this.outbox.withoutLiveJob(candidates, (row) => row.job_id);
    if (orphans.length === 0) return 0;
    const byHold = new Map<string, { id: string; job_id: string | null }[]>();
    for (const row of orphans)
      byHold.set(row.credit_transaction_id, [...(byHold.get(row.credit_transaction_id) ?? []), row]);
    const planned = [...byHold.values()].flatMap((rows) =>
      chunk(rows, this.config.ENRICHMENT_BATCH_SIZE).map((batch) => ({
        jobId: `sweep-${sweepId}-${createHash('sha1')
          .update(batch.map((row) => row.id).join(','))
          .digest('hex')
          .slice(0, 16)}`,
        rows: batch,
      })),
    );
    // The candidate list is older than the liveness snapshot: a row may have been claimed,
    // finished or re-queued since. Each row moves to its new job only if it is still pending
    // under the job that was found dead, and only the rows that moved are queued.
    const moved = await queryRows<{ id: string; job_id: string }>(
      this.dataSource,
      `UPDATE enrichment e SET job_id = b.job_id, queued_at = now(), updated_at = now()
         FROM unnest($1::uuid[], $2::varchar[], $3::varchar[]) AS b(id, job_id, old_job_id)
        WHERE e.id = b.id AND e.status = $4 AND e.job_id IS NOT DISTINCT FROM b.old_job_id
        RETURNING e.id, e.job_id`,
      [
        planned.flatMap(({ rows }) => rows.map((row) => row.id)),
        planned.flatMap(({ jobId, rows }) => rows.map(() => jobId)),
        planned.flatMap(({ rows }) => rows.map((row) => row.job_id)),
        EnrichmentStatus.PENDING,
      ],
    );
    if (moved.length === 0) return 0;
    const batches = new Map<string, string[]>();
    for (const row of moved) batches.set(row.job_id, [...(batches.get(row.job_id) ?? []), row.id]);
    // A batch that does not reach Redis stays pending under a job that is not live, so the
    // next sweep (after RECOVERY_STALE_AFTER_MS) finds it again.
    if (!(await this.addBatches([...batches].map(([jobId, ids]) => ({ jobId, ids }))))) return 0;
    this.logger.warn(`Recovery sweep re-queued ${moved.length} pending enrichments`);
    return moved.length;
  }

  /** Adds the batch jobs; false when Redis did not take them in time (the sweep will retry). */
  private addBatches(batches: { jobId: string; ids: string[] }[]): Promise<boolean> {
    return this.outbox.add(batches.map(({ jobId, ids }) => ({ jobId, data: { enrichmentIds: ids } })));
  }
}
