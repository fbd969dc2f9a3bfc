import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, PeriodicTask } from '@app/core';
import { EnrichmentDataService } from './enrichment-data.service';

/**
 * The retention sweep, every RETENTION_SWEEP_INTERVAL_MS in each worker process and one pass
 * at a time cluster-wide (the periodic task's advisory lock): found data no provider has
 * confirmed for DATA_RETENTION_DAYS is deleted from the global cache, and the enrichments
 * that pointed at it keep dataFound and get purgedAt. A pass that finds nothing changes
 * nothing, so a second pass (another process, right after) is harmless.
 */
@Injectable()
export class EnrichmentRetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EnrichmentRetentionService.name);
  private readonly task: PeriodicTask;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly data: EnrichmentDataService,
  ) {
    this.task = new PeriodicTask('data-retention', config.RETENTION_SWEEP_INTERVAL_MS, dataSource, () => this.sweep());
  }

  onApplicationBootstrap(): void {
    if (this.config.DATA_RETENTION_DAYS > 0) this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One pass now (tests, operators); false when another process is running one. */
  runOnce(): Promise<boolean> {
    return this.task.runOnce();
  }

  private async sweep(): Promise<void> {
    if (this.config.DATA_RETENTION_DAYS === 0) return;
    const purged = await this.data.purgeUnconfirmedSince(this.config.DATA_RETENTION_DAYS);
    if (purged.cacheEntries > 0) {
      this.logger.log(
        `Retention: purged ${purged.cacheEntries} cache entries and the data of ${purged.enrichments.length} enrichments`,
      );
    }
  }
}
