import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule, DatabaseModule, LoggingModule, QueueRootModule } from '@app/core';
import { EnrichmentModule } from '@app/enrichment';
import { WebhooksModule } from '@app/webhooks';

/** Only the queue processors: no HTTP, no migrations (the API applies them). */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot({ runMigrations: false }),
        QueueRootModule,
        EnrichmentModule.register({ http: false, workers: true }),
        WebhooksModule.register({ http: false, workers: true }),
      ],
    };
  }
}
