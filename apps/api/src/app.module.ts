import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from '@app/auth';
import {
  AllExceptionsFilter,
  AppConfig,
  ConfigModule,
  createValidationPipe,
  DatabaseModule,
  LoggingModule,
  QueueRootModule,
} from '@app/core';
import { CreditsModule } from '@app/credits';
import { EnrichmentModule } from '@app/enrichment';

/** The HTTP application; it also runs the queue processors unless RUN_WORKERS=false. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot({ runMigrations: true }),
        QueueRootModule,
        AuthModule,
        CreditsModule,
        EnrichmentModule.register({ http: true, workers: config.RUN_WORKERS }),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
