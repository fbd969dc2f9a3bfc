import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, PeriodicTask } from '@app/core';
import { WebhookQueueService } from './webhook-queue.service';

/**
 * Every RECOVERY_SWEEP_INTERVAL_MS in each worker process (one pass at a time cluster-wide):
 * queues events nobody queued (Redis down at commit) or whose job was lost (Redis restarted
 * or flushed). It runs from the process, not from Redis, so losing Redis cannot lose it too.
 */
@Injectable()
export class WebhookSweepService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(@InjectDataSource() dataSource: DataSource, config: AppConfig, queue: WebhookQueueService) {
    this.task = new PeriodicTask('webhook-sweep', config.RECOVERY_SWEEP_INTERVAL_MS, dataSource, async () => {
      await queue.sweep();
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One pass now (tests, operators); false when another process is running one. */
  runOnce(): Promise<boolean> {
    return this.task.runOnce();
  }
}
