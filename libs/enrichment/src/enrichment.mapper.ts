import type { ContactField } from '@app/core';
import { EnrichmentStatus, EntityType, EnrichmentView } from './enrichment.types';

/** An enrichment row as raw SQL returns it (snake_case columns). */
export interface EnrichmentRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  entity_id: string;
  entity_type: EntityType;
  field: ContactField;
  status: EnrichmentStatus;
  error: string | null;
  created_by: string;
  org_id: string;
  global_enrichment_id: string | null;
  credit_transaction_id: string | null;
  data_found: boolean | null;
}

/** The columns of the public object, for `SELECT`/`RETURNING` lists. */
export const ENRICHMENT_VIEW_COLUMNS =
  'id, created_at, updated_at, entity_id, entity_type, field, status, error, created_by, org_id, global_enrichment_id, credit_transaction_id, data_found';

export function toEnrichmentView(row: EnrichmentRow): EnrichmentView {
  return {
    id: row.id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    entityId: row.entity_id,
    entityType: row.entity_type,
    field: row.field,
    status: row.status,
    error: row.error,
    createdBy: row.created_by,
    orgId: row.org_id,
    globalEnrichmentId: row.global_enrichment_id,
    creditTransactionId: row.credit_transaction_id,
    dataFound: row.data_found,
  };
}

/** Where a bulk/batch request's operation resource lives. */
export const operationPath = (operationId: string) => `/api/v1/operations/enrichment/operations/${operationId}`;

/** The headers a bulk/batch answer carries (and its Idempotency-Key replays). */
export function operationHeaders(operationId: string): Record<string, string> {
  return { location: operationPath(operationId), 'x-operation-id': operationId };
}
