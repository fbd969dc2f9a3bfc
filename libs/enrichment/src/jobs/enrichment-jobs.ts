/** Queue and job names, and the data each job carries: the one place they are defined. */
export enum QueueName {
  ENRICHMENT = 'enrichment',
}

export enum JobName {
  /** Enrich a batch of pending enrichments of one hold. */
  ENRICH_BATCH = 'enrich-batch',
}

export interface JobDataMap {
  [JobName.ENRICH_BATCH]: { enrichmentIds: string[] };
}

export const ALL_JOB_NAMES = Object.values(JobName);
