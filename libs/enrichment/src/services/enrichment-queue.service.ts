import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobOptions, JobStatus, Queue } from 'bull';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/core';
import { EnrichmentStatus } from '../enrichment.types';
import { JobDataMap, JobName, QueueName } from '../jobs/enrichment-jobs';

/** How long a request waits for Redis before it answers anyway and leaves the rest to the sweep. */
const ENQUEUE_TIMEOUT_MS = 2000;
const LIVE_JOB_STATES: readonly (JobStatus | 'stuck')[] = ['waiting', 'active', 'delayed', 'paused'];

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
    const orphans: typeof candidates = [];
    const liveByJob = new Map<string, boolean>();
    for (const row of candidates) {
      if (row.job_id !== null && !liveByJob.has(row.job_id)) liveByJob.set(row.job_id, await this.isLive(row.job_id));
      if (row.job_id === null || !liveByJob.get(row.job_id)) orphans.push(row);
    }
    const byHold = new Map<string, string[]>();
    for (const row of orphans)
      byHold.set(row.credit_transaction_id, [...(byHold.get(row.credit_transaction_id) ?? []), row.id]);
    const batches = [...byHold.values()].flatMap((ids) =>
      chunk(ids, this.config.ENRICHMENT_BATCH_SIZE).map((batch) => ({
        jobId: `sweep-${sweepId}-${createHash('sha1').update(batch.join(',')).digest('hex').slice(0, 16)}`,
        ids: batch,
      })),
    );
    if (batches.length === 0 || !(await this.addBatches(batches))) return 0;
    // The rows now name their new job, so the next sweep finds it live and leaves them be.
    await this.dataSource.query(
      `UPDATE enrichment e SET job_id = b.job_id, queued_at = now()
         FROM unnest($1::uuid[], $2::varchar[]) AS b(id, job_id)
        WHERE e.id = b.id AND e.status = $3`,
      [
        batches.flatMap(({ ids }) => ids),
        batches.flatMap(({ jobId, ids }) => ids.map(() => jobId)),
        EnrichmentStatus.PENDING,
      ],
    );
    this.logger.warn(`Recovery sweep re-queued ${orphans.length} pending enrichments`);
    return orphans.length;
  }

  private async isLive(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    return LIVE_JOB_STATES.includes(await job.getState());
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
