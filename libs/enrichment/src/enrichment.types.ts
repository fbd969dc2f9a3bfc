export enum EnrichmentStatus {
  PENDING = 'pending',
  PROCESSING = 'processing',
  FINISHED = 'finished',
  FAILED = 'failed',
  TIMEOUT = 'timeout',
  CANCELLED = 'cancelled',
}

/** Statuses a new request reuses as they are; any other status is retried with a new hold. */
export const REUSABLE_STATUSES: readonly EnrichmentStatus[] = [
  EnrichmentStatus.PENDING,
  EnrichmentStatus.PROCESSING,
  EnrichmentStatus.FINISHED,
];

export enum EntityType {
  PERSON = 'person',
}
