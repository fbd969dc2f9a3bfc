import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/core';
import { CreditSource } from '../../credit.types';

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
