import type { ContactField } from '@app/core';

export enum EnrichmentStatus {
  PENDING = 'pending',
  PROCESSING = 'processing',
  FINISHED = 'finished',
  FAILED = 'failed',
  TIMEOUT = 'timeout',
  CANCELLED = 'cancelled',
}

/** Statuses a new request reuses as they are; the others are retried with a new hold. */
export const REUSABLE_STATUSES: readonly EnrichmentStatus[] = [
  EnrichmentStatus.PENDING,
  EnrichmentStatus.PROCESSING,
  EnrichmentStatus.FINISHED,
];

export enum EntityType {
  PERSON = 'person',
}

/** The public enrichment object: exactly the contract's 13 keys. */
export interface EnrichmentView {
  id: string;
  createdAt: string;
  updatedAt: string;
  entityId: string;
  entityType: EntityType;
  field: ContactField;
  status: EnrichmentStatus;
  error: string | null;
  createdBy: string;
  orgId: string;
  globalEnrichmentId: string | null;
  creditTransactionId: string | null;
  dataFound: boolean | null;
}

export enum OperationKind {
  BULK = 'bulk',
  BATCH = 'batch',
}

export enum OperationStatus {
  RUNNING = 'running',
  COMPLETED = 'completed',
  CANCELLED = 'cancelled',
}

/** Statuses that will not change any more. */
export const FINAL_STATUSES: readonly EnrichmentStatus[] = [
  EnrichmentStatus.FINISHED,
  EnrichmentStatus.FAILED,
  EnrichmentStatus.TIMEOUT,
  EnrichmentStatus.CANCELLED,
];
