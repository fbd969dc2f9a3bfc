/** Queue and job names, and the data each job carries: the one place they are defined. */
export enum QueueName {
  ENRICHMENT = 'enrichment',
}

export enum JobName {
  /** Enrich a batch of pending enrichments of one hold. */
  ENRICH_BATCH = 'enrich-batch',
  /** Re-queue pending enrichments that have no live job (Redis was down, flushed...). */
  RECOVERY_SWEEP = 'recovery-sweep',
}

export interface JobDataMap {
  [JobName.ENRICH_BATCH]: { enrichmentIds: string[] };
  [JobName.RECOVERY_SWEEP]: Record<string, never>;
}

export const ALL_JOB_NAMES = Object.values(JobName);
