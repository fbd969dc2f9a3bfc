/**
 * What one lead cost and why: the hold it was paid from, the credits held, captured and
 * released for it, and which provider answered and when (null when none found anything).
 */
export interface EnrichmentReceipt {
  holdId: string | null;
  held: number;
  captured: number;
  released: number;
  /** The provider whose answer was charged; null when none found anything (or not yet). */
  provider: string | null;
  answeredAt: string | null;
  /** When the lead's share was settled (captured or released); null while in progress. */
  settledAt: string | null;
}

/**
 * Columns for a receipt, over `enrichment e` joined to `global_enrichment g`. The settlement
 * sums read the ledger through its unique (hold, enrichment) index: at most two rows.
 */
export const RECEIPT_COLUMNS = `
  e.credit_transaction_id AS receipt_hold_id, e.charge AS receipt_held,
  (SELECT coalesce(sum(s.amount) FILTER (WHERE s.type = 'credit_consumed'), 0)
     FROM credit_transaction s WHERE s.hold_id = e.credit_transaction_id AND s.enrichment_id = e.id) AS receipt_captured,
  (SELECT coalesce(sum(s.amount) FILTER (WHERE s.type = 'credit_released'), 0)
     FROM credit_transaction s WHERE s.hold_id = e.credit_transaction_id AND s.enrichment_id = e.id) AS receipt_released,
  CASE WHEN e.data_found THEN g.provider END AS receipt_provider,
  CASE WHEN e.data_found THEN e.settled_at END AS receipt_answered_at,
  e.settled_at AS receipt_settled_at`;

export interface ReceiptRow {
  receipt_hold_id: string | null;
  receipt_held: number;
  receipt_captured: number;
  receipt_released: number;
  receipt_provider: string | null;
  receipt_answered_at: Date | null;
  receipt_settled_at: Date | null;
}

export function toReceipt(row: ReceiptRow): EnrichmentReceipt {
  return {
    holdId: row.receipt_hold_id,
    held: row.receipt_hold_id ? Number(row.receipt_held) : 0,
    captured: Number(row.receipt_captured),
    released: Number(row.receipt_released),
    provider: row.receipt_provider,
    answeredAt: row.receipt_answered_at ? row.receipt_answered_at.toISOString() : null,
    settledAt: row.receipt_settled_at ? row.receipt_settled_at.toISOString() : null,
  };
}
