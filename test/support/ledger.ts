import { DataSource } from 'typeorm';

export interface LedgerAudit {
  available: number;
  held: number;
  granted: number;
  reserved: number;
  consumed: number;
  released: number;
  expired: number;
  /** What the org's lots that have not expired still hold: must equal `available`. */
  lots: number;
}

/** An org's account next to what its ledger sums to. */
export async function auditOrg(dataSource: DataSource, orgId: string): Promise<LedgerAudit> {
  const [row]: LedgerAudit[] = await dataSource.query(
    `SELECT coalesce(a.available, 0)::bigint AS available, coalesce(a.held, 0)::bigint AS held,
            coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_added'), 0)::bigint AS granted,
            coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_reserved'), 0)::bigint AS reserved,
            coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_consumed'), 0)::bigint AS consumed,
            coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_released'), 0)::bigint AS released,
            coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_expired'), 0)::bigint AS expired,
            (SELECT coalesce(sum(remaining), 0)::bigint FROM credit_lot
              WHERE org_id = $1 AND expired_at IS NULL) AS lots
       FROM (SELECT $1::varchar AS org_id) o
       LEFT JOIN credit_account a ON a.org_id = o.org_id
       LEFT JOIN credit_transaction t ON t.org_id = o.org_id
      GROUP BY a.available, a.held`,
    [orgId],
  );
  return row;
}

/** The balance equals what the ledger sums to, and nothing was created or lost. */
export function expectLedgerConsistent(audit: LedgerAudit): void {
  expect(audit.available).toBe(audit.granted - audit.reserved + audit.released - audit.expired);
  expect(audit.held).toBe(audit.reserved - audit.consumed - audit.released);
  expect(audit.available + audit.held + audit.consumed + audit.expired).toBe(audit.granted);
  expect(audit.lots).toBe(audit.available);
}
