import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, PeriodicTask } from '@app/core';
import { EnrichmentOperationsService } from './enrichment-operations.service';
import { EnrichmentProcessingService } from './enrichment-processing.service';
import { EnrichmentQueueService } from './enrichment-queue.service';
import { EnrichmentSettlementService } from './enrichment-settlement.service';

/**
 * The recovery sweep, every RECOVERY_SWEEP_INTERVAL_MS in each worker process (one pass at a
 * time cluster-wide): times out overdue work and releases its holds, re-queues pending work
 * whose job is gone (Redis down, restarted or flushed; a crash between commit and enqueue),
 * and completes operations whose last item slipped through.
 */
@Injectable()
export class EnrichmentRecoveryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    config: AppConfig,
    private readonly processing: EnrichmentProcessingService,
    private readonly queue: EnrichmentQueueService,
    private readonly operations: EnrichmentOperationsService,
    private readonly settlement: EnrichmentSettlementService,
  ) {
    this.task = new PeriodicTask('enrichment-recovery', config.RECOVERY_SWEEP_INTERVAL_MS, dataSource, () =>
      this.sweep(),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One pass (exposed for tests and operators); false when another process is running one. */
  runOnce(): Promise<boolean> {
    return this.task.runOnce();
  }

  private async sweep(): Promise<void> {
    await this.processing.expireOverdue();
    await this.queue.recoverPending(String(Date.now()));
    await this.operations.completeStragglers();
    await this.settlement.dispatchCompletionEvents();
  }
}
