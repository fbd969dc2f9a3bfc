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
import { OperationItemsReadModel } from './read-models/operation-items.read-model';
import { OperationProgressReadModel } from './read-models/operation-progress.read-model';
import { EnrichmentAdminService } from './services/enrichment-admin.service';
import { EnrichmentDataService } from './services/enrichment-data.service';
import { EnrichmentOperationsService } from './services/enrichment-operations.service';
import { EnrichmentProcessingService } from './services/enrichment-processing.service';
import { EnrichmentQueryService } from './services/enrichment-query.service';
import { EnrichmentQueueService } from './services/enrichment-queue.service';
import { EnrichmentRecoveryService } from './services/enrichment-recovery.service';
import { EnrichmentRequestService } from './services/enrichment-request.service';
import { EnrichmentRetentionService } from './services/enrichment-retention.service';
import { EnrichmentSettlementService } from './services/enrichment-settlement.service';
import { EnrichmentStatsService } from './services/enrichment-stats.service';
import { LeadSearchService } from './services/lead-search.service';

const ENTITIES = [EnrichmentEntity, GlobalEnrichmentEntity, EnrichmentOperationEntity, EnrichmentOperationItemEntity];

/** The facade's public face: what the admin console, privacy and ops use. */
const FACADE = [EnrichmentStatsService, EnrichmentAdminService, EnrichmentDataService];

/** The use cases and the queue producer, shared by the facade and by the runtime module below. */
const CORE = [
  EnrichmentQueueService,
  EnrichmentSettlementService,
  EnrichmentOperationsService,
  OperationProgressReadModel,
  EnrichmentRequestService,
];

export interface EnrichmentModuleOptions {
  /** Serve the HTTP endpoints (the api app). */
  http: boolean;
  /** Run the queue processors and the sweeps in this process. */
  workers: boolean;
}

/** The endpoints and/or the processor and sweeps, on top of the facade module; built by `EnrichmentModule.register`. */
@Module({})
export class EnrichmentRuntimeModule {}

/**
 * Enrichment records, operations, the global cache and the request use cases.
 *
 * Other modules (admin, ops) import the static `EnrichmentModule` and inject its facades
 * (`EnrichmentAdminService`, `EnrichmentStatsService`, `EnrichmentDataService`). Nest
 * identifies modules by reference, so this one class exists once however many modules import
 * it; the apps add the controllers, the processor and the sweeps with `register()`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(ENTITIES),
    BullModule.registerQueue({ name: QueueName.ENRICHMENT }),
    CreditsModule,
    LeadsModule,
    PrivacyModule,
    SelectionModule,
    WebhooksModule,
  ],
  providers: [...CORE, ...FACADE],
  // The use cases and the queue are for the runtime module below; the facades are the public face.
  exports: [...FACADE, ...CORE, BullModule],
})
export class EnrichmentModule {
  static register({ http, workers }: EnrichmentModuleOptions): DynamicModule {
    return {
      module: EnrichmentRuntimeModule,
      imports: [
        EnrichmentModule,
        TypeOrmModule.forFeature(ENTITIES),
        CreditsModule,
        LeadsModule,
        PrivacyModule,
        ...(workers ? [ProvidersModule] : []),
      ],
      controllers: http ? [EnrichmentController, LeadSearchController] : [],
      providers: [
        ...(http ? [EnrichmentQueryService, LeadSearchService, OperationItemsReadModel] : []),
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
    };
  }
}
