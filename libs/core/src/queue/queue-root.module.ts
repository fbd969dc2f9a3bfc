import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisConnections } from '../redis/redis-connections';
import { RedisModule } from '../redis/redis.module';

/** The settings every Bull queue of this process shares; its clients come from RedisConnections. */
@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [RedisModule],
      inject: [AppConfig, RedisConnections],
      useFactory: (config: AppConfig, connections: RedisConnections) => ({
        url: config.REDIS_URL,
        prefix: config.QUEUE_PREFIX,
        // Bull's own clients, made as Bull would (its blocking and subscriber clients must retry
        // forever) but with the process's error listener: no `Unhandled error event` per retry.
        createClient: (type, redisOptions) =>
          connections.create(
            `bull ${type}`,
            type === 'client' ? redisOptions : { ...redisOptions, maxRetriesPerRequest: null },
          ),
        // A job whose worker died (its lock not renewed) is found at the next stalled check
        // and run again; the processor's claim by job id makes that safe.
        settings: { lockDuration: config.JOB_LOCK_DURATION_MS, stalledInterval: config.JOB_LOCK_DURATION_MS },
      }),
    }),
  ],
})
export class QueueRootModule {}
