export * from './enrichment.module';
export * from './enrichment.types';
export * from './jobs/enrichment-jobs';
