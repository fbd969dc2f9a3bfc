import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreditExpirySweepService, CreditsModule } from '@app/credits';
import { LeadsModule } from '@app/leads';
import { PrivacyModule } from '@app/privacy';
import { ProvidersModule } from '@app/providers';
import { SelectionModule } from '@app/selection';
import { WebhooksModule } from '@app/webhooks';
import { EnrichmentController } from './controllers/enrichment.controller';
import { LeadSearchController } from './controllers/lead-search.controller';
import { EnrichmentOperationItemEntity } from './entities/enrichment-operation-item.entity';
import { EnrichmentOperationEntity } from './entities/enrichment-operation.entity';
import { EnrichmentEntity } from './entities/enrichment.entity';
import { GlobalEnrichmentEntity } from './entities/global-enrichment.entity';
import { EnrichmentProcessor } from './jobs/enrichment.processor';
import { QueueName } from './jobs/enrichment-jobs';
import { EnrichmentAdminService } from './services/enrichment-admin.service';
import { EnrichmentDataService } from './services/enrichment-data.service';
import { EnrichmentOperationsService } from './services/enrichment-operations.service';
import { EnrichmentProcessingService } from './services/enrichment-processing.service';
import { EnrichmentQueryService } from './services/enrichment-query.service';
import { EnrichmentQueueService } from './services/enrichment-queue.service';
import { EnrichmentRecoveryService } from './services/enrichment-recovery.service';
import { EnrichmentRequestService } from './services/enrichment-request.service';
import { EnrichmentRetentionService } from './services/enrichment-retention.service';
import { EnrichmentStatsService } from './services/enrichment-stats.service';
import { LeadSearchService } from './services/lead-search.service';
import { OperationItemsReadModel } from './read-models/operation-items.read-model';
import { OperationProgressReadModel } from './read-models/operation-progress.read-model';
import { EnrichmentSettlementService } from './services/enrichment-settlement.service';

export interface EnrichmentModuleOptions {
  /** Serve the HTTP endpoints (the api app). */
  http: boolean;
  /** Run the queue processors in this process. */
  workers: boolean;
}

/**
 * Enrichment records, operations, the global cache, the request use cases, the queue producer
 * and processor. Global so that the admin and ops modules can reach its two small facades
 * (admin, stats, data) without knowing how the app registered it.
 */
@Module({})
export class EnrichmentModule {
  static register({ http, workers }: EnrichmentModuleOptions): DynamicModule {
    return {
      module: EnrichmentModule,
      global: true,
      imports: [
        TypeOrmModule.forFeature([
          EnrichmentEntity,
          GlobalEnrichmentEntity,
          EnrichmentOperationEntity,
          EnrichmentOperationItemEntity,
        ]),
        BullModule.registerQueue({ name: QueueName.ENRICHMENT }),
        CreditsModule,
        LeadsModule,
        PrivacyModule,
        SelectionModule,
        WebhooksModule,
        ...(workers ? [ProvidersModule] : []),
      ],
      controllers: http ? [EnrichmentController, LeadSearchController] : [],
      providers: [
        EnrichmentQueueService,
        EnrichmentRequestService,
        EnrichmentQueryService,
        EnrichmentOperationsService,
        EnrichmentAdminService,
        EnrichmentDataService,
        LeadSearchService,
        EnrichmentStatsService,
        OperationItemsReadModel,
        OperationProgressReadModel,
        EnrichmentSettlementService,
        // The credit expiry sweep is credits' own; it runs where the other sweeps run.
        ...(workers
          ? [
              EnrichmentProcessingService,
              EnrichmentProcessor,
              EnrichmentRecoveryService,
              EnrichmentRetentionService,
              CreditExpirySweepService,
            ]
          : []),
      ],
      exports: [EnrichmentStatsService, EnrichmentAdminService, EnrichmentDataService],
    };
  }
}
