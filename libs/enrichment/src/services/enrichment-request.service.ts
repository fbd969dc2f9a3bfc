import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, ContactField } from '@app/core';
import { CreditsService, SettlementOutcome } from '@app/credits';
import { BulkSelectionDto, ManualSelectionDto, SelectionService } from '@app/selection';
import { ENRICHMENT_VIEW_COLUMNS, EnrichmentRow, toEnrichmentView } from '../enrichment.mapper';
import { EnrichmentStatus, EntityType, EnrichmentView, REUSABLE_STATUSES } from '../enrichment.types';
import { EnrichmentQueueService } from './enrichment-queue.service';

export interface CreateEnrichmentsCommand {
  orgId: string;
  userId: string;
  field: ContactField;
  /** Lead ids in selection order, already deduplicated and known to exist. */
  leadIds: readonly string[];
}

export interface EnrichSelectionCommand extends Omit<CreateEnrichmentsCommand, 'leadIds'> {
  selection: ManualSelectionDto | BulkSelectionDto;
}

interface CreatedRows {
  rows: EnrichmentRow[];
  holdId: string | null;
  pendingIds: string[];
}

/**
 * The heart of a bulk/batch request: one transaction, serialised per org by the credit
 * account lock, that reuses what exists, holds credits for the rest (or answers 402 and
 * writes nothing), inserts the new enrichments and finishes the ones the global cache
 * already knows. The queue is fed only after commit.
 */
@Injectable()
export class EnrichmentRequestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credits: CreditsService,
    private readonly queue: EnrichmentQueueService,
    private readonly selections: SelectionService,
    private readonly config: AppConfig,
  ) {}

  /** POST /enrichment/bulk: resolve the selection to leads, then enrich them. */
  async enrichSelection(command: EnrichSelectionCommand): Promise<EnrichmentView[]> {
    const leadIds = await this.selections.resolve(command.selection);
    return this.createEnrichments({ orgId: command.orgId, userId: command.userId, field: command.field, leadIds });
  }

  async createEnrichments(command: CreateEnrichmentsCommand): Promise<EnrichmentView[]> {
    if (command.leadIds.length === 0) return [];
    const { rows, holdId, pendingIds } = await this.dataSource.transaction((manager) =>
      this.createInTransaction(manager, command),
    );
    if (holdId && pendingIds.length > 0) await this.queue.enqueue(holdId, pendingIds);
    const byLead = new Map(rows.map((row) => [row.entity_id, row]));
    return command.leadIds.flatMap((leadId) => {
      const row = byLead.get(leadId);
      return row ? [toEnrichmentView(row)] : [];
    });
  }

  private async createInTransaction(manager: EntityManager, command: CreateEnrichmentsCommand): Promise<CreatedRows> {
    const { orgId, userId, field, leadIds } = command;
    await this.credits.lockAccount(manager, orgId);

    const existing: (EnrichmentRow & { status: EnrichmentStatus })[] = await manager.query(
      `SELECT ${ENRICHMENT_VIEW_COLUMNS} FROM enrichment
        WHERE org_id = $1 AND entity_type = $2 AND field = $3 AND entity_id = ANY($4::uuid[])`,
      [orgId, EntityType.PERSON, field, leadIds],
    );
    const reused = existing.filter((row) => REUSABLE_STATUSES.includes(row.status));
    const reusedLeads = new Set(reused.map((row) => row.entity_id));
    const billable = leadIds.filter((leadId) => !reusedLeads.has(leadId));
    if (billable.length === 0) return { rows: reused, holdId: null, pendingIds: [] };

    const price = this.credits.priceOf(field);
    const operationType = this.credits.operationTypeOf(field);
    const holdId = await this.credits.hold(manager, {
      orgId,
      amount: billable.length * price,
      operationType,
      referenceId: null,
      createdBy: userId,
      metadata: { field, leads: billable.length, pricePerLead: price },
    });

    const cached = await this.freshGlobalResults(manager, field, billable);
    const created: (EnrichmentRow & { charge: number })[] = await manager.query(
      `INSERT INTO enrichment AS e
              (org_id, entity_type, entity_id, field, status, created_by, credit_transaction_id, charge,
               global_enrichment_id, data_found, settled_at)
       SELECT $1, $2, l.entity_id, $3,
              CASE WHEN l.global_id IS NULL THEN '${EnrichmentStatus.PENDING}' ELSE '${EnrichmentStatus.FINISHED}' END,
              $4, $5, $6, l.global_id,
              CASE WHEN l.global_id IS NULL THEN NULL ELSE true END,
              CASE WHEN l.global_id IS NULL THEN NULL ELSE now() END
         FROM unnest($7::uuid[], $8::uuid[]) AS l(entity_id, global_id)
       ON CONFLICT ON CONSTRAINT "UQ_enrichment_org_entity_field" DO UPDATE
          SET status = EXCLUDED.status, error = NULL, created_by = EXCLUDED.created_by,
              credit_transaction_id = EXCLUDED.credit_transaction_id, charge = EXCLUDED.charge,
              global_enrichment_id = EXCLUDED.global_enrichment_id, data_found = EXCLUDED.data_found,
              settled_at = EXCLUDED.settled_at, job_id = NULL, queued_at = NULL, processing_started_at = NULL,
              updated_at = now()
        WHERE e.status NOT IN (${REUSABLE_STATUSES.map((s) => `'${s}'`).join(', ')})
       RETURNING ${ENRICHMENT_VIEW_COLUMNS}, charge`,
      [
        orgId,
        EntityType.PERSON,
        field,
        userId,
        holdId,
        price,
        billable,
        billable.map((leadId) => cached.get(leadId) ?? null),
      ],
    );

    // Leads the global cache already knew are found results: their share is captured now.
    await this.credits.settle(
      manager,
      created
        .filter((row) => row.global_enrichment_id !== null)
        .map((row) => ({
          orgId,
          holdId,
          enrichmentId: row.id,
          amount: row.charge,
          operationType,
          outcome: SettlementOutcome.CAPTURE,
        })),
    );
    const pendingIds = created.filter((row) => row.status === EnrichmentStatus.PENDING).map((row) => row.id);
    return { rows: [...reused, ...created], holdId, pendingIds };
  }

  /** Lead id → global result id, for leads found by anyone within the freshness window. */
  private async freshGlobalResults(
    manager: EntityManager,
    field: ContactField,
    leadIds: readonly string[],
  ): Promise<Map<string, string>> {
    const rows: { id: string; entity_id: string }[] = await manager.query(
      `SELECT id, entity_id FROM global_enrichment
        WHERE entity_type = $1 AND field = $2 AND entity_id = ANY($3::uuid[])
          AND found_at > now() - make_interval(days => $4)`,
      [EntityType.PERSON, field, leadIds, this.config.GLOBAL_CACHE_FRESHNESS_DAYS],
    );
    return new Map(rows.map((row) => [row.entity_id, row.id]));
  }
}
