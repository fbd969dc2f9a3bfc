import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, ContactField, ErrorCode, queryRows } from '@app/core';
import { CreditsService, SettlementOutcome } from '@app/credits';
import { WebhooksService } from '@app/webhooks';
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

export interface NewOperation {
  id: string;
  orgId: string;
  createdBy: string;
  kind: OperationKind;
  field: ContactField;
  holdId: string | null;
  /** Enrichment ids in selection order, with whether this request reused them. */
  items: { enrichmentId: string; reused: boolean }[];
  /** No item is pending or processing. */
  allFinal: boolean;
}

interface OperationRow {
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
}

/** A hook run inside the action's transaction with the org acted upon (e.g. the admin console's audit entry). */
export type WithinTransaction = (manager: EntityManager, orgId: string) => Promise<void>;

/**
 * Bulk and batch requests as resources: recorded with their items, read back as progress,
 * cancelled, and completed once none of their enrichments is pending or processing.
 */
@Injectable()
export class EnrichmentOperationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credits: CreditsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Hands completion events written by committed transactions to the webhook queue now
   * rather than at the next sweep. Never throws: the sweep is the fallback.
   */
  async dispatchCompletionEvents(): Promise<void> {
    await this.webhooks.dispatchPending();
  }

  /**
   * Records an operation in the request's transaction; it is completed at once when nothing
   * is left to do (then true is returned: its completion event waits for dispatch).
   */
  async record(manager: EntityManager, operation: NewOperation): Promise<boolean> {
    const reused = operation.items.filter((item) => item.reused).length;
    await manager.query(
      `WITH operation AS (
         INSERT INTO enrichment_operation (id, org_id, created_by, kind, field, status, total, reused, created, hold_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id)
       INSERT INTO enrichment_operation_item (operation_id, enrichment_id, position, reused)
       SELECT operation.id, i.enrichment_id, i.position - 1, i.reused
         FROM operation, unnest($11::uuid[], $12::boolean[]) WITH ORDINALITY AS i(enrichment_id, reused, position)`,
      [
        operation.id,
        operation.orgId,
        operation.createdBy,
        operation.kind,
        operation.field,
        OperationStatus.RUNNING,
        operation.items.length,
        reused,
        operation.items.length - reused,
        operation.holdId,
        operation.items.map((item) => item.enrichmentId),
        operation.items.map((item) => item.reused),
      ],
    );
    // Usually work is pending and the processor completes the operation later; only a request
    // served entirely from existing or cached results is complete at once.
    if (!operation.allFinal) return false;
    return (await this.completeIfDone(manager, [operation.id])).length > 0;
  }

  /**
   * Completes the running operations that contain these enrichments once all their items are
   * final. The operation rows are locked first, in id order, so that two jobs finishing the
   * last items of one operation at the same time cannot both miss the completion: the second
   * waits for the first to commit and then sees its rows.
   */
  async completeAfter(manager: EntityManager, enrichmentIds: readonly string[]): Promise<string[]> {
    if (enrichmentIds.length === 0) return [];
    // The operations are found from the items first (MATERIALIZED: through the enrichment_id
    // index, whatever the planner's statistics say), then locked by primary key.
    const operations: { id: string }[] = await manager.query(
      `WITH touched AS MATERIALIZED (
         SELECT DISTINCT operation_id FROM enrichment_operation_item WHERE enrichment_id = ANY($1::uuid[]))
       SELECT o.id FROM enrichment_operation o JOIN touched t ON t.operation_id = o.id
        WHERE o.status = $2
        ORDER BY o.id FOR UPDATE OF o`,
      [enrichmentIds, OperationStatus.RUNNING],
    );
    return this.completeIfDone(
      manager,
      operations.map((operation) => operation.id),
    );
  }

  /** The sweep's safety net: completes running operations whose items are all final. */
  async completeStragglers(): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const operations: { id: string }[] = await manager.query(
        `SELECT id FROM enrichment_operation WHERE status = $1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
        [OperationStatus.RUNNING],
      );
      return this.completeIfDone(
        manager,
        operations.map((operation) => operation.id),
      );
    });
  }

  async progress(operationId: string, orgId: string | null): Promise<OperationProgress> {
    const [row]: (OperationRow & Record<string, number>)[] = await this.dataSource.query(
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

  /**
   * Cancels what has not started: the operation's own pending enrichments become `cancelled`
   * and their shares of the hold are released at once. Enrichments already processing finish
   * and settle as usual; reused ones belong to earlier requests and are left alone. Cancelling
   * twice, or a finished operation, changes nothing (and `within` is not called).
   */
  async cancel(operationId: string, orgId: string | null, within?: WithinTransaction): Promise<OperationProgress> {
    await this.dataSource.transaction(async (manager) => {
      const [operation]: OperationRow[] = await manager.query(
        'SELECT * FROM enrichment_operation WHERE id = $1 AND ($2::varchar IS NULL OR org_id = $2)',
        [operationId, orgId],
      );
      if (!operation) throw new AppException(ErrorCode.NOT_FOUND, `No operation ${operationId}`);
      await this.credits.lockAccount(manager, operation.org_id);
      const [locked]: OperationRow[] = await manager.query(
        'SELECT * FROM enrichment_operation WHERE id = $1 FOR UPDATE',
        [operationId],
      );
      if (locked.status === OperationStatus.RUNNING) {
        const cancelled = await queryRows<{ id: string; charge: number; credit_transaction_id: string }>(
          manager,
          `UPDATE enrichment e SET status = $2, settled_at = now(), updated_at = now()
             FROM enrichment_operation_item i
            WHERE i.operation_id = $1 AND NOT i.reused AND e.id = i.enrichment_id AND e.status = $3
              AND e.credit_transaction_id = $4
            RETURNING e.id, e.charge, e.credit_transaction_id`,
          [operationId, EnrichmentStatus.CANCELLED, EnrichmentStatus.PENDING, locked.hold_id],
        );
        await this.credits.settle(
          manager,
          cancelled.map((row) => ({
            orgId: locked.org_id,
            holdId: row.credit_transaction_id,
            enrichmentId: row.id,
            amount: row.charge,
            operationType: this.credits.operationTypeOf(locked.field),
            outcome: SettlementOutcome.RELEASE,
          })),
        );
        await manager.query('UPDATE enrichment_operation SET status = $2, completed_at = now() WHERE id = $1', [
          operationId,
          OperationStatus.CANCELLED,
        ]);
        // Only a cancel that changed something is reported (the admin console audits it).
        if (within) await within(manager, operation.org_id);
      }
    });
    return this.progress(operationId, orgId);
  }

  /**
   * Completes the operations whose items are all final, and writes an `operation.completed`
   * webhook event for each that created work, in the same transaction (delivered after commit).
   */
  private async completeIfDone(manager: EntityManager, operationIds: readonly string[]): Promise<string[]> {
    if (operationIds.length === 0) return [];
    const completed = await queryRows<OperationRow>(
      manager,
      `UPDATE enrichment_operation o SET status = $2, completed_at = now()
        WHERE o.id = ANY($1::uuid[]) AND o.status = $3
          AND NOT EXISTS (
                SELECT 1 FROM enrichment_operation_item i JOIN enrichment e ON e.id = i.enrichment_id
                 WHERE i.operation_id = o.id AND e.status IN ($4, $5))
        RETURNING o.*`,
      [
        operationIds,
        OperationStatus.COMPLETED,
        OperationStatus.RUNNING,
        EnrichmentStatus.PENDING,
        EnrichmentStatus.PROCESSING,
      ],
    );
    // An operation that created no work (everything reused) cost nothing: it sends no event,
    // or repeating a free request would fan out deliveries to every endpoint for free.
    for (const operation of completed.filter((row) => row.created > 0)) {
      await this.webhooks.publish(manager, operation.org_id, {
        type: 'operation.completed',
        data: {
          operationId: operation.id,
          kind: operation.kind,
          field: operation.field,
          total: operation.total,
          reused: operation.reused,
          created: operation.created,
          completedAt: operation.completed_at?.toISOString() ?? null,
        },
      });
    }
    return completed.map((row) => row.id);
  }
}
