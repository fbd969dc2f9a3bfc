import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AdminModule } from '@app/admin';
import { AuthModule } from '@app/auth';
import {
  AllExceptionsFilter,
  AppConfig,
  ConfigModule,
  createValidationPipe,
  DatabaseModule,
  IdempotencyModule,
  JsonBodyMiddleware,
  LoggingModule,
  QueueRootModule,
} from '@app/core';
import { CreditsModule } from '@app/credits';
import { EnrichmentModule } from '@app/enrichment';
import { OpsModule } from '@app/ops';
import { PrivacyHttpModule } from '@app/privacy';
import { WebhooksModule } from '@app/webhooks';

/** The HTTP application; it also runs the queue processors unless RUN_WORKERS=false. */
@Module({})
export class AppModule implements NestModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot({ runMigrations: true }),
        QueueRootModule,
        AuthModule,
        IdempotencyModule,
        CreditsModule,
        EnrichmentModule.register({ http: true, workers: config.RUN_WORKERS }),
        AdminModule,
        PrivacyHttpModule,
        WebhooksModule.register({ http: true, workers: config.RUN_WORKERS }),
        // Last: its rate-limit guard must run after AuthModule's guards (see OpsModule).
        OpsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes('*');
  }
}
