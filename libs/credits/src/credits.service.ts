import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, ContactField, queryPrepared, queryRows, selectPage } from '@app/core';
import { CreditOperationType, CreditSource, CreditTransactionType } from './credit.types';
import { InsufficientCreditsException } from './credits.exceptions';
import { BalanceAlerts, NO_BALANCE_ALERTS } from './alerts/balance-alerts';
import { SpendLimitExceededException } from './limits/spend-limit-exceeded.exception';
import { SpendLimitsService } from './limits/services/spend-limits.service';
import { CreditLotsService, NextExpiry } from './lots/services/credit-lots.service';
import { SpendLimitStatus, SpendSubjects } from './limits/spend-limit.types';
import { operationTypeOf, priceOf } from './pricing';

export interface Balance {
  available: number;
  held: number;
}

export interface HoldRequest {
  orgId: string;
  amount: number;
  operationType: CreditOperationType;
  /** What the hold pays for (e.g. the enrichment request id). */
  referenceId: string | null;
  createdBy: string;
  /** The API key the request came with, if any: its spend limits apply too. */
  apiKeyId?: string | null;
  /** The request's own cap (`maxCredits`): holding more is a 402 SPEND_LIMIT_EXCEEDED. */
  maxCredits?: number | null;
  metadata?: Record<string, unknown>;
  /**
   * The id the hold gets (generated when absent). A caller that knows it before the hold has
   * answered can write SQL that names the hold right behind it (`hold`'s `behind`).
   */
  holdId?: string;
}

export enum SettlementOutcome {
  /** Data was found: the share of the hold is paid. */
  CAPTURE = 'capture',
  /** Nothing found, failed, timed out or cancelled: the share goes back to available. */
  RELEASE = 'release',
}

export interface Settlement {
  orgId: string;
  holdId: string;
  enrichmentId: string;
  amount: number;
  operationType: CreditOperationType;
  outcome: SettlementOutcome;
}

export interface HistoryQuery {
  startDate?: Date;
  endDate?: Date;
  limit: number;
  offset: number;
}

export interface LedgerEntry {
  id: string;
  organizationId: string;
  type: CreditTransactionType;
  amount: number;
  operationType: CreditOperationType | null;
  source: CreditSource | null;
  referenceId: string | null;
  description: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  /** The reference contract's field; ledger entries are never changed, so it equals createdAt. */
  updatedAt: string;
}

export interface HoldSummary {
  reserved: number;
  captured: number;
  released: number;
}

export interface UsageRow {
  operationType: CreditOperationType;
  period: string;
  creditsConsumed: number;
  enrichmentsCharged: number;
}

export interface GrantRequest {
  orgId: string;
  amount: number;
  source: CreditSource;
  description?: string | null;
  referenceId?: string | null;
  createdBy: string;
  /** When the unspent remainder expires (subscription credits at the period's end); never when absent. */
  expiresAt?: Date | null;
}

/**
 * The credits facade: balances, holds, settlement and grants. Methods that take an
 * EntityManager run inside the caller's transaction — the use case opens it — so a hold and
 * the work it pays for commit or roll back together. Every method that changes `available`
 * evaluates the balance alerts (BalanceAlerts) before it returns, under the same lock.
 */
@Injectable()
export class CreditsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly spendLimits: SpendLimitsService,
    private readonly lots: CreditLotsService,
    private readonly alerts: BalanceAlerts,
  ) {}

  /**
   * A CreditsService built by hand, outside the app's dependency injection (the demo seed,
   * specs): its spend-limit and lot services on the same data source (they keep no state), and
   * no balance alerts unless given.
   */
  static standalone(
    dataSource: DataSource,
    config: AppConfig,
    alerts: BalanceAlerts = NO_BALANCE_ALERTS,
  ): CreditsService {
    return new CreditsService(
      dataSource,
      config,
      new SpendLimitsService(dataSource),
      new CreditLotsService(dataSource),
      alerts,
    );
  }

  priceOf(field: ContactField): number {
    return priceOf(this.config, field);
  }

  operationTypeOf(field: ContactField): CreditOperationType {
    return operationTypeOf(field);
  }

  async getBalance(orgId: string): Promise<Balance> {
    const rows: Balance[] = await this.dataSource.query(
      'SELECT available, held FROM credit_account WHERE org_id = $1',
      [orgId],
    );
    return rows[0] ?? { available: 0, held: 0 };
  }

  /** The soonest expiry of the org's credits (how much, when); null when none expire. */
  nextExpiry(orgId: string): Promise<NextExpiry | null> {
    return this.lots.nextExpiry(orgId);
  }

  /** Credits currently held by unsettled work, summed over every org (for monitoring). */
  async totalHeld(): Promise<number> {
    const rows: { held: number }[] = await this.dataSource.query(
      'SELECT coalesce(sum(held), 0)::float8 AS held FROM credit_account',
    );
    return rows[0].held;
  }

  /**
   * Locks the org's account row for the rest of the transaction (creating an empty account
   * on first use). Every request of one org that holds credits queues behind this lock, which
   * is what makes "check, then hold" safe under any concurrency.
   */
  async lockAccount(manager: EntityManager, orgId: string): Promise<Balance> {
    const lock = 'SELECT available, held FROM credit_account WHERE org_id = $1 FOR UPDATE';
    const [account] = await queryPrepared<Balance>(manager, lock, [orgId]);
    if (account) return account;
    // First use: create the row (a concurrent first request may win; then we wait for it).
    await manager.query('INSERT INTO credit_account (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING', [orgId]);
    const [created] = await queryPrepared<Balance>(manager, lock, [orgId]);
    return created;
  }

  /** Locks several accounts in a fixed order, so concurrent settlements never deadlock. */
  async lockAccounts(manager: EntityManager, orgIds: readonly string[]): Promise<void> {
    const unique = [...new Set(orgIds)].sort();
    if (unique.length === 0) return;
    await queryPrepared(
      manager,
      'SELECT org_id FROM credit_account WHERE org_id = ANY($1) ORDER BY org_id FOR UPDATE',
      [unique],
    );
  }

  /** The spend limits a request of these subjects is under, with what remains of each. */
  applicableLimits(subjects: SpendSubjects): Promise<SpendLimitStatus[]> {
    return this.spendLimits.applicable(this.dataSource, subjects);
  }

  /**
   * Moves `amount` from available to held and writes the hold to the ledger. credit_hold takes
   * the account lock first (migration CreditHoldLocksAccount), so the caller need not have taken
   * it; it is held to the end of the transaction either way, and whatever the caller read before
   * the hold must be checked again under it before it is trusted. Throws 402
   * SPEND_LIMIT_EXCEEDED past the request's cap or a spend limit, INSUFFICIENT_CREDITS when short.
   *
   * `then`: SQL of another module that the caller would otherwise send next, run in the same round
   * trip once the hold has gone through, under the account lock it took (`$1` is the org id). The
   * request's privacy lock goes this way: one round trip less while its org's account is locked.
   * It sees what the hold wrote only through a volatile function, whose statements take snapshots
   * of their own (a plain subquery reads the statement's, from before the hold). `followed` is its
   * value as PostgreSQL returned it (null without `then`).
   *
   * `behind`: called once the hold's statement is on the connection, before its answer. What it
   * sends goes out right behind the hold, in the same round trip, and runs after it in the same
   * transaction, under the locks the hold took — also when the hold is refused, which throws:
   * the caller's transaction then rolls back what it wrote.
   */
  async hold(
    manager: EntityManager,
    request: HoldRequest,
    then: string | null = null,
    behind?: () => void,
  ): Promise<{ holdId: string; followed: unknown }> {
    const subjects: SpendSubjects = {
      orgId: request.orgId,
      userId: request.createdBy,
      apiKeyId: request.apiKeyId ?? null,
    };
    if (request.maxCredits !== null && request.maxCredits !== undefined && request.amount > request.maxCredits) {
      throw SpendLimitExceededException.forMaxCredits(request.maxCredits, request.amount);
    }
    // The key id rides on the hold so that a release finds the counters it was added to.
    const metadata = request.apiKeyId ? { ...request.metadata, apiKeyId: request.apiKeyId } : request.metadata;
    // One round trip (migration CreditHoldFunction): spend limits, lot expiry, account and
    // ledger, the draw from the lots and the spend counters, in that order.
    // credit_hold, a function in FROM, runs to its end before the select list is evaluated.
    const followed = then ? `CASE WHEN hold_id IS NOT NULL THEN ${then} END` : 'NULL';
    const holding = queryPrepared<{
      hold_id: string | null;
      refusal: 'spend_limit' | 'insufficient' | null;
      limit_reached: boolean;
      balance_alert: boolean;
      followed: unknown;
    }>(
      manager,
      `SELECT hold_id, refusal, limit_reached, balance_alert, ${followed} AS followed
         FROM credit_hold($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        request.orgId,
        request.createdBy,
        request.apiKeyId ?? null,
        request.amount,
        request.operationType,
        request.referenceId,
        metadata ?? null,
        request.holdId ?? null,
      ],
    );
    // queryPrepared has handed the statement to the transaction's connection before returning
    // (with prepared statements off, TypeORM queues it first: see queryPrepared).
    behind?.();
    const [row] = await holding;
    if (row.hold_id) {
      // The alerts, only when credit_hold says they have something to do (migration
      // CreditHoldAlertSignals): a limit used up exactly (spent = limit now; it was below before,
      // or the hold would have been refused), or a balance alert flag that no longer matches.
      if (row.limit_reached) {
        const limits = await this.spendLimits.applicable(manager, subjects);
        await this.alerts.limitsExhausted(
          manager,
          subjects.orgId,
          limits.filter((limit) => limit.spent === limit.limit),
        );
      }
      if (row.balance_alert) await this.alerts.evaluate(manager, [subjects.orgId]);
      return { holdId: row.hold_id, followed: row.followed };
    }
    // Refused, nothing held: the details of the refusal are read only now, off the common path.
    if (row.refusal === 'spend_limit') {
      await this.enforceLimits(manager, subjects, request);
      throw new Error(`credit_hold refused ${request.orgId} on a spend limit the limits service does not see`);
    }
    const { available } = await this.lockAccount(manager, request.orgId);
    throw new InsufficientCreditsException(request.amount, available);
  }

  /**
   * The details of a spend-limit refusal (throws). A refusal is also `spend_limit.reached` for
   * each limit that refused it, published after the request's transaction ends (it rolls back).
   */
  private async enforceLimits(manager: EntityManager, subjects: SpendSubjects, request: HoldRequest): Promise<void> {
    try {
      await this.spendLimits.enforce(manager, subjects, request.amount, request.maxCredits);
    } catch (error) {
      if (error instanceof SpendLimitExceededException) {
        this.alerts.limitsRefused(manager, request.orgId, error.exceeded, request.amount);
      }
      throw error;
    }
  }

  /**
   * Writes off the remainder of these orgs' lots past their expiry (see CreditLotsService) and
   * evaluates their balance alerts. The caller holds the orgs' account locks.
   */
  async expireDue(manager: EntityManager, orgIds: readonly string[]): Promise<number> {
    const expired = await this.lots.expireDue(manager, orgIds);
    if (expired > 0) await this.alerts.evaluate(manager, orgIds);
    return expired;
  }

  /**
   * Settles shares of holds: capture or release, each exactly once. The ledger's unique
   * (hold, enrichment) index drops a settlement that was already written (a job that ran
   * twice), and only what was actually inserted moves the account, the lots and the spend
   * counters — in one call of credit_settle. Returns how many settlements were new.
   */
  async settle(manager: EntityManager, settlements: readonly Settlement[]): Promise<number> {
    if (settlements.length === 0) return 0;
    // One call (migration CreditSettleFunction): ledger, lots, accounts and spend counters, with
    // a plan cached per connection; the alerts only when a balance crossed something.
    const [row] = await queryPrepared<{ settled_count: number; balance_alert: boolean }>(
      manager,
      'SELECT settled_count, balance_alert FROM credit_settle($1, $2, $3, $4, $5, $6)',
      [
        settlements.map((s) => s.orgId),
        settlements.map((s) =>
          s.outcome === SettlementOutcome.CAPTURE ? CreditTransactionType.CONSUMED : CreditTransactionType.RELEASED,
        ),
        settlements.map((s) => s.amount),
        settlements.map((s) => s.operationType),
        settlements.map((s) => s.holdId),
        settlements.map((s) => s.enrichmentId),
      ],
    );
    if (row.balance_alert)
      await this.alerts.evaluate(
        manager,
        settlements.map((s) => s.orgId),
      );
    return row.settled_count;
  }

  /**
   * Adds credits to an org's balance inside the caller's transaction. A grant that names a
   * reference (an invoice, a seed run) is applied once per org and reference: repeating it
   * changes nothing and returns the first grant.
   */
  async grant(manager: EntityManager, request: GrantRequest): Promise<{ transactionId: string; balance: Balance }> {
    await this.lockAccount(manager, request.orgId);
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO credit_transaction (org_id, type, amount, source, description, reference_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org_id, reference_id) WHERE type = 'credit_added' AND reference_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        request.orgId,
        CreditTransactionType.ADDED,
        request.amount,
        request.source,
        request.description ?? null,
        request.referenceId ?? null,
        request.createdBy,
      ],
    );
    if (inserted.length === 0) {
      const [existing]: { id: string }[] = await manager.query(
        'SELECT id FROM credit_transaction WHERE org_id = $1 AND reference_id = $2 AND type = $3',
        [request.orgId, request.referenceId, CreditTransactionType.ADDED],
      );
      return { transactionId: existing.id, balance: await this.lockAccount(manager, request.orgId) };
    }
    await this.lots.add(manager, {
      orgId: request.orgId,
      grantId: inserted[0].id,
      source: request.source,
      amount: request.amount,
      expiresAt: request.expiresAt ?? null,
    });
    const [balance] = await queryRows<Balance>(
      manager,
      `UPDATE credit_account SET available = available + $2, updated_at = now() WHERE org_id = $1
       RETURNING available, held`,
      [request.orgId, request.amount],
    );
    await this.alerts.evaluate(manager, [request.orgId]);
    return { transactionId: inserted[0].id, balance };
  }

  /**
   * The ledger of one org, newest first, optionally between two instants. As the reference
   * contract says, `count` is the number of entries in this answer; `total` is every entry
   * between the dates (what a client pages through with offset).
   */
  async history(
    orgId: string,
    query: HistoryQuery,
  ): Promise<{ transactions: LedgerEntry[]; count: number; total: number }> {
    // Timestamps are shown to the millisecond: an endDate copied from an entry's createdAt must
    // include that entry, whose stored instant has microseconds past it.
    const where = `WHERE org_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2)
                     AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz + interval '1 millisecond')`;
    const filters = [orgId, query.startDate ?? null, query.endDate ?? null];
    const { rows: transactions, total } = await selectPage<LedgerEntry>(
      this.dataSource,
      {
        columns: `id, org_id AS "organizationId", type, amount, operation_type AS "operationType", source,
                  reference_id AS "referenceId", description, metadata,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`,
        from: 'credit_transaction',
        where,
        orderBy: 'created_at DESC, id DESC',
        params: filters,
      },
      // The reference contract pages this ledger by limit and offset (docs/bulk-enrichment-api.md).
      { offset: query.offset, limit: query.limit },
    );
    return { transactions, count: transactions.length, total };
  }

  /** What became of one hold: reserved, and how much of it was captured and released so far. */
  async holdSummary(holdId: string): Promise<HoldSummary> {
    const [row]: HoldSummary[] = await this.dataSource.query(
      `SELECT coalesce(sum(amount) FILTER (WHERE type = $2 AND id = $1), 0)::bigint AS reserved,
              coalesce(sum(amount) FILTER (WHERE type = $3 AND hold_id = $1), 0)::bigint AS captured,
              coalesce(sum(amount) FILTER (WHERE type = $4 AND hold_id = $1), 0)::bigint AS released
         FROM credit_transaction WHERE id = $1 OR hold_id = $1`,
      [holdId, CreditTransactionType.RESERVED, CreditTransactionType.CONSUMED, CreditTransactionType.RELEASED],
    );
    return row;
  }

  /** Credits consumed per field (operation type) and month, for the admin console. */
  async usage(orgId: string): Promise<UsageRow[]> {
    return this.dataSource.query(
      `SELECT operation_type AS "operationType", to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS period,
              sum(amount)::bigint AS "creditsConsumed", count(*)::int AS "enrichmentsCharged"
         FROM credit_transaction WHERE org_id = $1 AND type = $2
        GROUP BY 1, 2 ORDER BY 2 DESC, 1`,
      [orgId, CreditTransactionType.CONSUMED],
    );
  }
}
