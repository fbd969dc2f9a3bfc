import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** The Redis connection every Bull queue of this process shares. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.REDIS_URL,
        prefix: config.QUEUE_PREFIX,
        // A job whose worker died (its lock not renewed) is found at the next stalled check
        // and run again; the processor's claim by job id makes that safe.
        settings: { lockDuration: config.JOB_LOCK_DURATION_MS, stalledInterval: config.JOB_LOCK_DURATION_MS },
      }),
    }),
  ],
})
export class QueueRootModule {}
