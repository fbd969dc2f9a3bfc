export * from './enrichment.module';
export * from './enrichment.types';
export * from './jobs/enrichment-jobs';
export * from './services/enrichment-stats.service';
export * from './services/enrichment-admin.service';
export * from './services/enrichment-data.service';
export * from './dtos/enrichment.response.dto';
export * from './dtos/operation.response.dto';
export type { OperationProgress } from './read-models/operation-progress.read-model';
