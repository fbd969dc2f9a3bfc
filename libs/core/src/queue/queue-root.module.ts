import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** The Redis connection every Bull queue of this process shares. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
    }),
  ],
})
export class QueueRootModule {}
