import { InjectQueue, OnQueueFailed, OnQueueStalled, Processor } from '@nestjs/bull';
import { BeforeApplicationShutdown, Logger, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig, processAllJobs } from '@app/core';
import { EnrichmentProcessingService } from '../services/enrichment-processing.service';
import { ALL_JOB_NAMES, JobDataMap, JobName, QueueName } from './enrichment-jobs';

type Handlers = { [N in JobName]: (job: Job<JobDataMap[N]>) => Promise<void> };

/**
 * Thin: it dispatches each job to its handler and decides, on the last attempt, that a
 * failing batch is final. The handler map is typed by JobName, so a job without a handler
 * does not compile, and boot refuses one that slipped through. Only processes that run
 * workers include this provider.
 */
@Processor(QueueName.ENRICHMENT)
export class EnrichmentProcessor implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(EnrichmentProcessor.name);

  private readonly handlers: Handlers = {
    [JobName.ENRICH_BATCH]: (job) => this.enrichBatch(job),
  };

  constructor(
    private readonly processing: EnrichmentProcessingService,
    @InjectQueue(QueueName.ENRICHMENT) private readonly bullQueue: Queue<JobDataMap[JobName]>,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const missing = ALL_JOB_NAMES.filter((name) => typeof this.handlers[name] !== 'function');
    if (missing.length > 0) throw new Error(`No handler for job(s): ${missing.join(', ')}`);
    // Registered here rather than with @Process so concurrency comes from the validated config;
    // through processAllJobs so that a SIGTERM in the first moments cannot crash the shutdown.
    processAllJobs(this.bullQueue, this.config.WORKER_CONCURRENCY, (job) => this.handle(job), this.logger);
  }

  /**
   * SIGTERM: stop taking jobs and let the running ones finish, before the database
   * connection closes (that happens in onApplicationShutdown, after this hook).
   */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`Draining the enrichment queue (${signal ?? 'shutdown'})`);
    await this.bullQueue.close();
  }

  async handle(job: Job<JobDataMap[JobName]>): Promise<void> {
    const name = job.name as JobName;
    const handler = this.handlers[name] as ((job: Job<JobDataMap[JobName]>) => Promise<void>) | undefined;
    if (!handler) throw new Error(`No handler for job "${job.name}"`);
    await handler(job);
  }

  @OnQueueFailed()
  onFailed(job: Job, error: Error): void {
    this.logger.warn(`Job ${job.id} (${job.name}) failed on attempt ${job.attemptsMade}: ${error.message}`);
  }

  @OnQueueStalled()
  onStalled(job: Job): void {
    this.logger.warn(`Job ${job.id} (${job.name}) stalled; Bull will run it again`);
  }

  private async enrichBatch(job: Job<JobDataMap[JobName.ENRICH_BATCH]>): Promise<void> {
    const jobId = String(job.id);
    try {
      await this.processing.processBatch(jobId, job.data.enrichmentIds);
    } catch (error) {
      const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isLastAttempt) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(`Job ${jobId} failed for good: ${reason}`);
      await this.processing.failBatch(jobId, job.data.enrichmentIds, reason);
    }
  }
}
