import type { ContactField } from '@app/core';
import { EnrichmentStatus, EntityType, EnrichmentView } from './enrichment.types';

/** An enrichment row as raw SQL returns it (snake_case columns; timestamps as the API writes them). */
export interface EnrichmentRow {
  id: string;
  created_at: string;
  updated_at: string;
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

/**
 * A timestamp as the API writes it — ISO 8601 in UTC with milliseconds, what `Date.toISOString`
 * gives — formatted by PostgreSQL, under the column's own name. Read as a Date only to be printed
 * again, the two timestamps of a bulk answer of 1,000 leads cost 2,000 regex parses, Dates and
 * toISOString calls and their garbage: about a tenth of the API's CPU on that request. `MS`
 * truncates the microseconds, as the Date did.
 */
const isoTimestamp = (column: string, name: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${name}`;

/**
 * The columns of the public object, for `SELECT`/`RETURNING` lists; `table` qualifies them (a
 * join). The timestamps are text named like their columns: an `ORDER BY created_at` over such a
 * list sorts that text, so order by the qualified column (`enrichment.created_at`).
 */
export function enrichmentViewColumns(table?: string): string {
  const column = (name: string) => (table ? `${table}.${name}` : name);
  return [
    column('id'),
    isoTimestamp(column('created_at'), 'created_at'),
    isoTimestamp(column('updated_at'), 'updated_at'),
    ...[
      'entity_id',
      'entity_type',
      'field',
      'status',
      'error',
      'created_by',
      'org_id',
      'global_enrichment_id',
      'credit_transaction_id',
      'data_found',
    ].map(column),
  ].join(', ');
}

export const ENRICHMENT_VIEW_COLUMNS = enrichmentViewColumns();

export function toEnrichmentView(row: EnrichmentRow): EnrichmentView {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
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
