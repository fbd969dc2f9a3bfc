import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/core';
import { CreditSource, CreditTransactionType } from '../../credit.types';

export interface NewLot {
  orgId: string;
  grantId: string;
  source: CreditSource;
  amount: number;
  expiresAt: Date | null;
}

export interface NextExpiry {
  amount: number;
  expiresAt: string;
}

/**
 * Credit lots: which grant the available credits come from and when they expire. Every
 * method that writes must run under the org's account lock (CreditsService.lockAccount /
 * lockAccounts), the same lock that serialises holds and settlements.
 */
@Injectable()
export class CreditLotsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(manager: EntityManager, lot: NewLot): Promise<void> {
    await manager.query(
      `INSERT INTO credit_lot (org_id, grant_id, source, granted, remaining, expires_at)
       VALUES ($1, $2, $3, $4, $4, $5)`,
      [lot.orgId, lot.grantId, lot.source, lot.amount, lot.expiresAt],
    );
  }

  /**
   * Writes off the remainder of every lot of these orgs whose time has come: one
   * `credit_expired` entry per lot (the lot's `expired_at` guard and the ledger's unique index
   * make it once, whoever runs it), and the same amount leaves `available`. Returns how many
   * lots expired. The SQL is the function credit_expire_due (migration CreditHoldFunction),
   * which a hold runs too (credit_hold); a hold's draw from the lots is also done there.
   */
  async expireDue(manager: EntityManager, orgIds: readonly string[]): Promise<number> {
    if (orgIds.length === 0) return 0;
    const [row] = await queryRows<{ lots: number }>(manager, 'SELECT credit_expire_due($1) AS lots', [orgIds]);
    return row.lots;
  }

  /** Orgs with at least one lot past its expiry and not yet written off (for the sweep). */
  async orgsWithDueLots(limit: number): Promise<string[]> {
    const rows = await queryRows<{ org_id: string }>(
      this.dataSource,
      `SELECT DISTINCT org_id FROM credit_lot
        WHERE expired_at IS NULL AND expires_at IS NOT NULL AND expires_at <= now() LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.org_id);
  }

  /** The soonest expiry of the org's live credits: how much, and when (null when nothing expires). */
  async nextExpiry(orgId: string): Promise<NextExpiry | null> {
    const [row] = await queryRows<NextExpiry>(
      this.dataSource,
      `SELECT sum(remaining)::bigint AS amount,
              to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt"
         FROM credit_lot
        WHERE org_id = $1 AND expired_at IS NULL AND remaining > 0 AND expires_at IS NOT NULL
        GROUP BY expires_at ORDER BY expires_at LIMIT 1`,
      [orgId],
    );
    return row ?? null;
  }
}

/**
 * The part of CreditsService.settle that gives released shares back to their lots. `ins` is
 * the CTE of the settlement rows just inserted (org_id, type, amount, hold_id). A hold's parts
 * are laid end to end; releases go back from the end, so the n-th released credit of a hold
 * returns to the part covering offset (hold amount − n). A lot that has expired (or is past
 * its expiry, not yet swept) does not take credits back: they are written off at once as a
 * `credit_expired` entry naming the hold and the lot, and never reach `available`.
 */
export const RETURN_TO_LOTS_CTES = `
  released_per_hold AS (
    SELECT hold_id, sum(amount) AS amount FROM ins WHERE type = '${CreditTransactionType.RELEASED}' GROUP BY hold_id),
  hold_parts AS (
    SELECT hl.hold_id, sum(hl.amount) AS total, sum(hl.returned) AS returned
      FROM credit_hold_lot hl JOIN released_per_hold r ON r.hold_id = hl.hold_id GROUP BY hl.hold_id),
  back AS (
    SELECT hl.hold_id, hl.lot_id, l.org_id,
           greatest(0, least(hl.start + hl.amount, p.total - p.returned)
                       - greatest(hl.start, p.total - p.returned - r.amount)) AS amount,
           (l.expired_at IS NOT NULL OR coalesce(l.expires_at <= now(), false)) AS lapsed
      FROM released_per_hold r
      JOIN hold_parts p ON p.hold_id = r.hold_id
      JOIN credit_hold_lot hl ON hl.hold_id = r.hold_id
      JOIN credit_lot l ON l.id = hl.lot_id),
  given_back AS (
    UPDATE credit_hold_lot hl SET returned = hl.returned + b.amount
      FROM back b WHERE hl.hold_id = b.hold_id AND hl.lot_id = b.lot_id AND b.amount > 0),
  refilled AS (
    UPDATE credit_lot l SET remaining = l.remaining + x.amount
      FROM (SELECT lot_id, sum(amount) AS amount FROM back WHERE NOT lapsed AND amount > 0 GROUP BY lot_id) x
     WHERE l.id = x.lot_id),
  lapsed AS (
    INSERT INTO credit_transaction (org_id, type, amount, hold_id, reference_id, description)
    SELECT org_id, '${CreditTransactionType.EXPIRED}', amount, hold_id, lot_id::text, 'Released after its lot expired'
      FROM back WHERE lapsed AND amount > 0
    RETURNING org_id, amount),
  lapsed_per_org AS (SELECT org_id, sum(amount) AS amount FROM lapsed GROUP BY org_id)`;
