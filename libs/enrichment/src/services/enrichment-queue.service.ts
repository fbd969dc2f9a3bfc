import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobOptions, Queue } from 'bull';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, queryRows, withTimeout } from '@app/core';
import { EnrichmentStatus } from '../enrichment.types';
import { JobDataMap, JobName, QueueName } from '../jobs/enrichment-jobs';

/** How long a request waits for Redis before it answers anyway and leaves the rest to the sweep. */
const ENQUEUE_TIMEOUT_MS = 2000;

type EnrichmentQueue = Queue<JobDataMap[JobName]>;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * The producer side of the enrichment queue. PostgreSQL is the source of truth: a job is
 * only a pointer to pending rows, so a lost job (Redis down, flushed, a crash between
 * commit and enqueue) is re-created by the recovery sweep, and a duplicate job is harmless
 * because processing claims rows idempotently.
 */
@Injectable()
export class EnrichmentQueueService {
  private readonly logger = new Logger(EnrichmentQueueService.name);

  constructor(
    @InjectQueue(QueueName.ENRICHMENT) private readonly queue: EnrichmentQueue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

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
    if (candidates.length === 0) return 0;
    const live = await this.liveJobIds();
    const orphans = candidates.filter((row) => row.job_id === null || !live.has(row.job_id));
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

  /**
   * The ids of every job that is waiting, paused, active or delayed, read in one MULTI: Bull's
   * own `getState()` asks list after list, so a job moving from waiting to active between two
   * of its reads looks "stuck" — under load that made the sweep re-queue live work.
   */
  private async liveJobIds(): Promise<Set<string>> {
    const results = await this.queue.client
      .multi()
      .lrange(this.queue.toKey('wait'), 0, -1)
      .lrange(this.queue.toKey('paused'), 0, -1)
      .lrange(this.queue.toKey('active'), 0, -1)
      .zrange(this.queue.toKey('delayed'), 0, -1)
      .exec();
    const live = new Set<string>();
    for (const [error, ids] of results ?? []) {
      if (error) throw error;
      for (const id of ids as string[]) live.add(id);
    }
    return live;
  }

  /** Adds the batch jobs; false when Redis did not take them in time (the sweep will retry). */
  private async addBatches(batches: { jobId: string; ids: string[] }[]): Promise<boolean> {
    if (batches.length === 0) return true;
    const options: JobOptions = {
      attempts: this.config.JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.JOB_BACKOFF_MS },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    };
    try {
      await withTimeout(
        this.queue.addBulk(
          batches.map(({ jobId, ids }) => ({
            name: JobName.ENRICH_BATCH,
            data: { enrichmentIds: ids },
            opts: { ...options, jobId },
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
        'Queueing enrichment batches',
      );
    } catch (error) {
      // The rows are committed and stay pending: the recovery sweep queues them later.
      this.logger.warn(
        `Could not queue ${batches.length} batch jobs, leaving them to the recovery sweep: ${String(error)}`,
      );
      return false;
    }
    return true;
  }
}
