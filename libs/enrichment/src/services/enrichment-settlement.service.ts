import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ContactField, queryRows } from '@app/core';
import { CreditsService, HoldRequest, SettlementOutcome } from '@app/credits';
import { WebhooksService } from '@app/webhooks';
import { EnrichmentStatus, OperationKind, OperationStatus } from '../enrichment.types';

/** An enrichment that has just reached a final status, with what its share of the hold is. */
export interface SettledRow {
  id: string;
  org_id: string;
  /** The hold the share was taken from. */
  credit_transaction_id: string;
  charge: number;
  field: ContactField;
}

/**
 * Not exported: only this file can make a `LockedAccounts`, so holding one proves that the
 * accounts were locked through `EnrichmentSettlementService` in that transaction.
 */
const LOCKED = Symbol('LockedAccounts');

/** The credit accounts a transaction holds locked; `settle` takes it, and settles in its manager. */
export interface LockedAccounts {
  readonly [LOCKED]: true;
  readonly manager: EntityManager;
  readonly orgIds: ReadonlySet<string>;
}

interface CompletedOperationRow {
  id: string;
  org_id: string;
  kind: OperationKind;
  field: ContactField;
  total: number;
  reused: number;
  created: number;
  completed_at: Date | null;
}

/**
 * The one way enrichments are settled, whoever ends them — a job's outcome, a cancel, the
 * global cache at request time, the timeout sweep: lock the orgs' credit accounts, change
 * the rows (the caller's statement, which knows why they end), capture or release each
 * share of its hold, and complete the operations that no longer wait for anything.
 *
 * The caller opens the transaction and passes its manager: the settlement commits with the
 * row change or not at all. Completion events are dispatched by the caller after commit.
 */
@Injectable()
export class EnrichmentSettlementService {
  constructor(
    private readonly credits: CreditsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Locks one org's account (creating it on first use), as a request does before it holds. */
  async lockAccount(manager: EntityManager, orgId: string): Promise<LockedAccounts> {
    await this.credits.lockAccount(manager, orgId);
    return { [LOCKED]: true, manager, orgIds: new Set([orgId]) };
  }

  /**
   * Holds credits for a request. The hold takes the org's account lock first (credit_hold does),
   * so it proves the lock as `lockAccount` does, without a statement of its own for it. `then`:
   * SQL sent in the same round trip, run once the hold has gone through; `behind`: statements
   * written right behind the hold, before its answer (see CreditsService.hold).
   */
  async hold(
    manager: EntityManager,
    request: HoldRequest,
    then: string | null = null,
    behind?: () => void,
  ): Promise<{ holdId: string; locked: LockedAccounts; followed: unknown }> {
    const { holdId, followed } = await this.credits.hold(manager, request, then, behind);
    return { holdId, followed, locked: { [LOCKED]: true, manager, orgIds: new Set([request.orgId]) } };
  }

  /** Locks several orgs' accounts in a fixed order, so concurrent settlements never deadlock. */
  async lockAccounts(manager: EntityManager, orgIds: readonly string[]): Promise<LockedAccounts> {
    await this.credits.lockAccounts(manager, orgIds);
    return { [LOCKED]: true, manager, orgIds: new Set(orgIds) };
  }

  /** Locks the accounts of these enrichments' orgs, before their rows move. */
  async lockAccountsOf(manager: EntityManager, enrichmentIds: readonly string[]): Promise<LockedAccounts> {
    // Planned per call, not prepared: a generic plan kept from when the table was small scans it.
    const orgs = await queryRows<{ org_id: string }>(
      manager,
      'SELECT DISTINCT org_id FROM enrichment WHERE id = ANY($1::uuid[])',
      [enrichmentIds],
    );
    return this.lockAccounts(
      manager,
      orgs.map((row) => row.org_id),
    );
  }

  /**
   * Settles rows that have just reached a final status (captured or released as `outcome`
   * says) and completes the running operations they were the last open items of. Every
   * row's org must be among the locked ones: an unlocked settlement could deadlock against
   * a request, or interleave with a hold. Returns the ids of the operations completed.
   */
  async settle<Row extends SettledRow>(
    locked: LockedAccounts,
    rows: readonly Row[],
    outcome: SettlementOutcome | ((row: Row) => SettlementOutcome),
  ): Promise<string[]> {
    const unlocked = rows.find((row) => !locked.orgIds.has(row.org_id));
    if (unlocked) throw new Error(`Settling enrichment ${unlocked.id} without its org's account lock`);
    const outcomeOf = typeof outcome === 'function' ? outcome : () => outcome;
    await this.credits.settle(
      locked.manager,
      rows.map((row) => ({
        orgId: row.org_id,
        holdId: row.credit_transaction_id,
        enrichmentId: row.id,
        amount: row.charge,
        operationType: this.credits.operationTypeOf(row.field),
        outcome: outcomeOf(row),
      })),
    );
    return this.completeOperationsOf(
      locked.manager,
      rows.map((row) => row.id),
    );
  }

  /**
   * Counts these enrichments (which have just become final) off the running operations that
   * contain them, and completes those whose items are then all final. The operation rows are
   * locked first, in id order, so that two jobs finishing the last items of one operation at the
   * same time cannot both miss the completion: the second waits for the first to commit, counts
   * from its count, and its completion check (a statement of its own, so a snapshot taken after
   * the wait) sees the first one's rows. Only operations whose count reaches zero are checked:
   * the check reads every item, and before its last job an operation still has open ones.
   */
  async completeOperationsOf(manager: EntityManager, enrichmentIds: readonly string[]): Promise<string[]> {
    if (enrichmentIds.length === 0) return [];
    // The operations are found from the items first (MATERIALIZED: through the enrichment_id
    // index, whatever the planner's statistics say), then locked by primary key. Planned per
    // call, not prepared: a generic plan kept from when the table was small scans it.
    const counted = await queryRows<{ id: string; open_items: number }>(
      manager,
      `WITH touched AS MATERIALIZED (
         SELECT operation_id, count(*)::int AS settled FROM enrichment_operation_item
          WHERE enrichment_id = ANY($1::uuid[]) GROUP BY operation_id),
       locked AS (
         SELECT o.id, t.settled FROM enrichment_operation o JOIN touched t ON t.operation_id = o.id
          WHERE o.status = $2
          ORDER BY o.id FOR UPDATE OF o)
       UPDATE enrichment_operation o SET open_items = o.open_items - l.settled
         FROM locked l WHERE o.id = l.id
       RETURNING o.id, o.open_items`,
      [enrichmentIds, OperationStatus.RUNNING],
    );
    return this.completeOperations(
      manager,
      counted.filter((operation) => operation.open_items <= 0).map((operation) => operation.id),
    );
  }

  /**
   * Completes the operations whose items are all final, and writes an `operation.completed`
   * webhook event for each that created work, in the same transaction (delivered after commit).
   */
  async completeOperations(manager: EntityManager, operationIds: readonly string[]): Promise<string[]> {
    if (operationIds.length === 0) return [];
    // Planned per call, not prepared: a generic plan kept from when the table was small scans it.
    const completed = await queryRows<CompletedOperationRow>(
      manager,
      `UPDATE enrichment_operation o SET status = $2, completed_at = now()
        WHERE o.id = ANY($1::uuid[]) AND o.status = $3
          AND NOT EXISTS (
                SELECT 1 FROM enrichment_operation_item i JOIN enrichment e ON e.id = i.enrichment_id
                 WHERE i.operation_id = o.id AND e.status IN ($4, $5))
        RETURNING o.id, o.org_id, o.kind, o.field, o.total, o.reused, o.created, o.completed_at`,
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

  /**
   * Hands completion events written by committed transactions to the webhook queue now
   * rather than at the next sweep. Never throws: the sweep is the fallback.
   */
  async dispatchCompletionEvents(): Promise<void> {
    await this.webhooks.dispatchPending();
  }
}
