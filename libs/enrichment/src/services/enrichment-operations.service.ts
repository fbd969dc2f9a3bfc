import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, ErrorCode, queryRows, runInTransaction } from '@app/core';
import { SettlementOutcome } from '@app/credits';
import { EnrichmentStatus, OperationStatus } from '../enrichment.types';
import { OperationProgress, OperationProgressReadModel } from '../read-models/operation-progress.read-model';
import { EnrichmentSettlementService, SettledRow } from './enrichment-settlement.service';

interface OperationRow {
  id: string;
  org_id: string;
  status: OperationStatus;
  hold_id: string | null;
}

/** A hook run inside the action's transaction with the org acted upon (e.g. the admin console's audit entry). */
export type WithinTransaction = (manager: EntityManager, orgId: string) => Promise<void>;

/**
 * The lifecycle of bulk and batch requests as resources once recorded (the request records one
 * with its items in the statement that writes its enrichments): cancelled, and completed once
 * none of their enrichments is pending or processing (the completion itself is the settlement's
 * last step). Progress is read by `OperationProgressReadModel`.
 */
@Injectable()
export class EnrichmentOperationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settlement: EnrichmentSettlementService,
    private readonly progress: OperationProgressReadModel,
  ) {}

  /** The sweep's safety net: completes running operations whose items are all final. */
  async completeStragglers(): Promise<string[]> {
    return runInTransaction(this.dataSource, async (manager) => {
      const operations: { id: string }[] = await manager.query(
        `SELECT id FROM enrichment_operation WHERE status = $1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
        [OperationStatus.RUNNING],
      );
      return this.settlement.completeOperations(
        manager,
        operations.map((operation) => operation.id),
      );
    });
  }

  /**
   * Cancels what has not started: the operation's own pending enrichments become `cancelled`
   * and their shares of the hold are released at once. Enrichments already processing finish
   * and settle as usual; reused ones belong to earlier requests and are left alone. Cancelling
   * twice, or a finished operation, changes nothing (and `within` is not called).
   */
  async cancel(operationId: string, orgId: string | null, within?: WithinTransaction): Promise<OperationProgress> {
    const completed = await runInTransaction(this.dataSource, async (manager) => {
      const [operation]: OperationRow[] = await manager.query(
        'SELECT id, org_id, status, hold_id FROM enrichment_operation WHERE id = $1 AND ($2::varchar IS NULL OR org_id = $2)',
        [operationId, orgId],
      );
      if (!operation) throw new AppException(ErrorCode.NOT_FOUND, `No operation ${operationId}`);
      const locked = await this.settlement.lockAccount(manager, operation.org_id);
      const [current]: OperationRow[] = await manager.query(
        'SELECT id, org_id, status, hold_id FROM enrichment_operation WHERE id = $1 FOR UPDATE',
        [operationId],
      );
      if (current.status !== OperationStatus.RUNNING) return [];
      // Marked cancelled before settling, so that the settlement's completion step passes it
      // over and completes only other operations that were waiting on these enrichments.
      await manager.query('UPDATE enrichment_operation SET status = $2, completed_at = now() WHERE id = $1', [
        operationId,
        OperationStatus.CANCELLED,
      ]);
      const cancelled = await queryRows<SettledRow>(
        manager,
        `UPDATE enrichment e SET status = $2, settled_at = now(), updated_at = now()
           FROM enrichment_operation_item i
          WHERE i.operation_id = $1 AND NOT i.reused AND e.id = i.enrichment_id AND e.status = $3
            AND e.credit_transaction_id = $4
          RETURNING e.id, e.org_id, e.credit_transaction_id, e.charge, e.field`,
        [operationId, EnrichmentStatus.CANCELLED, EnrichmentStatus.PENDING, current.hold_id],
      );
      const others = await this.settlement.settle(locked, cancelled, SettlementOutcome.RELEASE);
      // Only a cancel that changed something is reported (the admin console audits it).
      if (within) await within(manager, operation.org_id);
      return others;
    });
    if (completed.length > 0) await this.settlement.dispatchCompletionEvents();
    return this.progress.progress(operationId, orgId);
  }
}
