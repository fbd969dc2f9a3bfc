import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException, ContactField, ErrorCode, pageWindow, selectPage } from '@app/core';
import { ENRICHMENT_VIEW_COLUMNS, EnrichmentRow, toEnrichmentView } from '../enrichment.mapper';
import { EnrichmentStatus, EnrichmentView, REUSABLE_STATUSES } from '../enrichment.types';
import type { OperationProgress } from '../read-models/operation-progress.read-model';
import { EnrichmentOperationsService, WithinTransaction } from './enrichment-operations.service';
import { EnrichmentRequestService } from './enrichment-request.service';

export interface EnrichmentListQuery {
  orgId?: string;
  status?: EnrichmentStatus;
  field?: ContactField;
  page: number;
  size: number;
}

export interface EnrichmentCount {
  field: ContactField;
  status: EnrichmentStatus;
  count: number;
}

/** What the admin console may do with enrichments, across organisations. */
@Injectable()
export class EnrichmentAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requests: EnrichmentRequestService,
    private readonly operations: EnrichmentOperationsService,
  ) {}

  countsByStatus(orgId: string): Promise<EnrichmentCount[]> {
    return this.dataSource.query(
      `SELECT field, status, count(*)::int AS count FROM enrichment WHERE org_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [orgId],
    );
  }

  async list(query: EnrichmentListQuery): Promise<{ items: EnrichmentView[]; total: number }> {
    const where = `WHERE ($1::varchar IS NULL OR org_id = $1) AND ($2::varchar IS NULL OR status = $2)
                     AND ($3::varchar IS NULL OR field = $3)`;
    const filters = [query.orgId ?? null, query.status ?? null, query.field ?? null];
    const { rows, total } = await selectPage<EnrichmentRow>(
      this.dataSource,
      {
        columns: ENRICHMENT_VIEW_COLUMNS,
        from: 'enrichment',
        where,
        orderBy: 'enrichment.created_at DESC, enrichment.id',
        params: filters,
      },
      pageWindow(query),
    );
    return { items: rows.map(toEnrichmentView), total };
  }

  /**
   * Retries a failed, timed-out or cancelled enrichment for its org: a new hold (402 when the
   * org is short), back to pending, queued. Anything else is not retryable (409). The check
   * here answers the obvious case early; the one that counts runs again under the account
   * lock (`retryOnly`), so concurrent retries make one retry and one audit entry.
   */
  async retry(enrichmentId: string, requestedBy: string, within: WithinTransaction): Promise<EnrichmentView> {
    const [row]: EnrichmentRow[] = await this.dataSource.query(
      `SELECT ${ENRICHMENT_VIEW_COLUMNS} FROM enrichment WHERE id = $1`,
      [enrichmentId],
    );
    if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No enrichment ${enrichmentId}`);
    if (REUSABLE_STATUSES.includes(row.status)) {
      throw new AppException(ErrorCode.CONFLICT, `An enrichment in status ${row.status} cannot be retried`, {
        status: row.status,
      });
    }
    const { enrichments } = await this.requests.createEnrichments(
      {
        orgId: row.org_id,
        userId: requestedBy,
        field: row.field,
        leadIds: [row.entity_id],
        operationKind: null,
        retryOnly: true,
      },
      within,
    );
    return enrichments[0];
  }

  cancelOperation(operationId: string, within: WithinTransaction): Promise<OperationProgress> {
    return this.operations.cancel(operationId, null, within);
  }
}
