import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreditsModule } from '@app/credits';
import { LeadsModule } from '@app/leads';
import { ProvidersModule } from '@app/providers';
import { SelectionModule } from '@app/selection';
import { EnrichmentController } from './controllers/enrichment.controller';
import { EnrichmentEntity } from './entities/enrichment.entity';
import { GlobalEnrichmentEntity } from './entities/global-enrichment.entity';
import { EnrichmentProcessor } from './jobs/enrichment.processor';
import { QueueName } from './jobs/enrichment-jobs';
import { EnrichmentProcessingService } from './services/enrichment-processing.service';
import { EnrichmentQueryService } from './services/enrichment-query.service';
import { EnrichmentQueueService } from './services/enrichment-queue.service';
import { EnrichmentRequestService } from './services/enrichment-request.service';

export interface EnrichmentModuleOptions {
  /** Serve the HTTP endpoints (the api app). */
  http: boolean;
  /** Run the queue processors in this process. */
  workers: boolean;
}

/** Enrichment records, the global cache, the request use cases, the queue producer and processor. */
@Module({})
export class EnrichmentModule {
  static register({ http, workers }: EnrichmentModuleOptions): DynamicModule {
    return {
      module: EnrichmentModule,
      imports: [
        TypeOrmModule.forFeature([EnrichmentEntity, GlobalEnrichmentEntity]),
        BullModule.registerQueue({ name: QueueName.ENRICHMENT }),
        CreditsModule,
        LeadsModule,
        SelectionModule,
        ...(workers ? [ProvidersModule] : []),
      ],
      controllers: http ? [EnrichmentController] : [],
      providers: [
        EnrichmentQueueService,
        EnrichmentRequestService,
        EnrichmentQueryService,
        ...(workers ? [EnrichmentProcessingService, EnrichmentProcessor] : []),
      ],
    };
  }
}
