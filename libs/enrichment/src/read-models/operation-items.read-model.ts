import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException, ErrorCode, PageMetaDto, toPage } from '@app/core';
import { EnrichmentStatus } from '../enrichment.types';
import { EnrichmentReceipt, RECEIPT_COLUMNS, ReceiptRow, toReceipt } from './enrichment-receipt';

/** One lead of an operation, as an invoice line: what it is, how it ended, what it cost. */
export interface OperationItem {
  position: number;
  enrichmentId: string;
  personId: string;
  status: EnrichmentStatus;
  dataFound: boolean | null;
  /** Already enriched (or in progress) when the request came: paid by an earlier request, not this one. */
  reused: boolean;
  /** Credits this operation was charged for the lead: captured, and never for a reused one. */
  charge: number;
  provider: string | null;
  /** The lead's receipt (for a reused lead: that of the request that paid for it). */
  receipt: EnrichmentReceipt;
}

/**
 * The items of an operation, paged in selection order, so that a customer can reconcile an
 * invoice line by line. A read model beside the operation resource: it only reads.
 */
@Injectable()
export class OperationItemsReadModel {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(
    operationId: string,
    orgId: string,
    page: number,
    size: number,
  ): Promise<PageMetaDto & { content: OperationItem[] }> {
    const [operation]: { total: number }[] = await this.dataSource.query(
      'SELECT total FROM enrichment_operation WHERE id = $1 AND org_id = $2',
      [operationId, orgId],
    );
    if (!operation) throw new AppException(ErrorCode.NOT_FOUND, `No operation ${operationId}`);
    const rows: (ReceiptRow & {
      position: number;
      enrichment_id: string;
      entity_id: string;
      status: EnrichmentStatus;
      data_found: boolean | null;
      reused: boolean;
    })[] = await this.dataSource.query(
      `SELECT i.position, i.enrichment_id, i.reused, e.entity_id, e.status, e.data_found, ${RECEIPT_COLUMNS}
         FROM enrichment_operation_item i
         JOIN enrichment e ON e.id = i.enrichment_id
         LEFT JOIN global_enrichment g ON g.id = e.global_enrichment_id
        WHERE i.operation_id = $1
        ORDER BY i.position
        OFFSET $2 LIMIT $3`,
      [operationId, page * size, size],
    );
    const content = rows.map((row) => {
      const receipt = toReceipt(row);
      return {
        position: row.position,
        enrichmentId: row.enrichment_id,
        personId: row.entity_id,
        status: row.status,
        dataFound: row.data_found,
        reused: row.reused,
        charge: row.reused ? 0 : receipt.captured,
        provider: receipt.provider,
        receipt,
      };
    });
    return toPage(content, operation.total, page, size);
  }
}
