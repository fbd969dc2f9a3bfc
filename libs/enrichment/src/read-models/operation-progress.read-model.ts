import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException, ContactField, ErrorCode } from '@app/core';
import { CreditsService } from '@app/credits';
import { EnrichmentStatus, OperationKind, OperationStatus } from '../enrichment.types';

export interface OperationProgress {
  id: string;
  orgId: string;
  kind: OperationKind;
  field: ContactField;
  status: OperationStatus;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
  total: number;
  reused: number;
  created: number;
  pending: number;
  processing: number;
  finished: number;
  found: number;
  failed: number;
  cancelled: number;
  credits: { held: number; captured: number; released: number };
}

interface ProgressRow {
  id: string;
  org_id: string;
  kind: OperationKind;
  field: ContactField;
  status: OperationStatus;
  created_by: string;
  created_at: Date;
  completed_at: Date | null;
  total: number;
  reused: number;
  created: number;
  hold_id: string | null;
  pending_count: number;
  processing_count: number;
  finished_count: number;
  found_count: number;
  failed_count: number;
  cancelled_count: number;
}

/**
 * An operation as its owner follows it: its items counted by status, and its hold as held,
 * captured and released. A read model beside the operations' lifecycle: it only reads.
 */
@Injectable()
export class OperationProgressReadModel {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credits: CreditsService,
  ) {}

  /** 404 when there is no such operation (in this org, unless `orgId` is null: the admin console). */
  async progress(operationId: string, orgId: string | null): Promise<OperationProgress> {
    const [row]: ProgressRow[] = await this.dataSource.query(
      `SELECT o.*,
              count(*) FILTER (WHERE e.status = '${EnrichmentStatus.PENDING}')::int AS pending_count,
              count(*) FILTER (WHERE e.status = '${EnrichmentStatus.PROCESSING}')::int AS processing_count,
              count(*) FILTER (WHERE e.status = '${EnrichmentStatus.FINISHED}')::int AS finished_count,
              count(*) FILTER (WHERE e.data_found)::int AS found_count,
              count(*) FILTER (WHERE e.status IN ('${EnrichmentStatus.FAILED}', '${EnrichmentStatus.TIMEOUT}'))::int AS failed_count,
              count(*) FILTER (WHERE e.status = '${EnrichmentStatus.CANCELLED}')::int AS cancelled_count
         FROM enrichment_operation o
         LEFT JOIN enrichment_operation_item i ON i.operation_id = o.id
         LEFT JOIN enrichment e ON e.id = i.enrichment_id
        WHERE o.id = $1 AND ($2::varchar IS NULL OR o.org_id = $2)
        GROUP BY o.id`,
      [operationId, orgId],
    );
    if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No operation ${operationId}`);
    const hold = row.hold_id ? await this.credits.holdSummary(row.hold_id) : { reserved: 0, captured: 0, released: 0 };
    return {
      id: row.id,
      orgId: row.org_id,
      kind: row.kind,
      field: row.field,
      status: row.status,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      completedAt: row.completed_at?.toISOString() ?? null,
      total: row.total,
      reused: row.reused,
      created: row.created,
      pending: row.pending_count,
      processing: row.processing_count,
      finished: row.finished_count,
      found: row.found_count,
      failed: row.failed_count,
      cancelled: row.cancelled_count,
      credits: {
        held: hold.reserved - hold.captured - hold.released,
        captured: hold.captured,
        released: hold.released,
      },
    };
  }
}
