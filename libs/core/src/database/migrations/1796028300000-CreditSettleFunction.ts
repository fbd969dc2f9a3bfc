import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A settlement in one call of a plpgsql function, for the same reason credit_hold is one
 * (CreditHoldFunction), and one more: the settlement is a single statement of nine CTEs, and sent
 * from the client it was planned anew every time — 6–7 ms of planning per 50-lead job against
 * 3–5 ms of execution, all of it inside the job's account lock, where every other job of the
 * org waits. In a function its plan is cached per connection. Same statement, same order:
 *
 * - the shares are written to the ledger, each (hold, enrichment) once — the unique index drops
 *   one already written (a job that ran twice), and only what was inserted moves anything;
 * - released shares go back to their lots: a hold's parts are laid end to end and releases go
 *   back from the end, so the n-th released credit of a hold returns to the part covering
 *   offset (hold amount − n); a lot that has expired (or is past its expiry, not yet swept)
 *   takes nothing back — the credits are written off at once as a `credit_expired` entry naming
 *   the hold and the lot, and never reach `available`;
 * - the accounts move (held down; available up by what was released and not written off);
 * - what was released leaves the spend counters of the period its hold was made in.
 *
 * It also says whether the balance alerts have anything to do (an alert flag of one of these
 * accounts no longer matches its balance), as credit_hold does: CreditsService ran them after
 * every settlement, and they change something only when a balance crosses a threshold.
 */
export class CreditSettleFunction1796028300000 implements MigrationInterface {
  name = 'CreditSettleFunction1796028300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION credit_settle(
        p_org varchar[], p_type varchar[], p_amount bigint[], p_operation_type varchar[],
        p_hold uuid[], p_enrichment uuid[]
      ) RETURNS TABLE (settled_count int, balance_alert boolean) LANGUAGE plpgsql VOLATILE AS $$
      #variable_conflict use_column
      DECLARE
        v_settled int;
        v_balance_alert boolean := false;
      BEGIN
        WITH ins AS (
          INSERT INTO credit_transaction (org_id, type, amount, operation_type, hold_id, enrichment_id, reference_id)
          SELECT s.org_id, s.type, s.amount, s.operation_type, s.hold_id, s.enrichment_id, s.hold_id::text
            FROM unnest(p_org, p_type, p_amount, p_operation_type, p_hold, p_enrichment)
                 AS s(org_id, type, amount, operation_type, hold_id, enrichment_id)
          ON CONFLICT (hold_id, enrichment_id) WHERE type IN ('credit_consumed', 'credit_released') DO NOTHING
          RETURNING org_id, type, amount, hold_id),
        per_org AS (
          SELECT org_id, sum(amount)::bigint AS total,
                 coalesce(sum(amount) FILTER (WHERE type = 'credit_released'), 0)::bigint AS released,
                 count(*)::int AS settled
            FROM ins GROUP BY org_id),
        released_per_hold AS (
          SELECT hold_id, sum(amount) AS amount FROM ins WHERE type = 'credit_released' GROUP BY hold_id),
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
          SELECT org_id, 'credit_expired', amount, hold_id, lot_id::text, 'Released after its lot expired'
            FROM back WHERE lapsed AND amount > 0
          RETURNING org_id, amount),
        lapsed_per_org AS (SELECT org_id, sum(amount) AS amount FROM lapsed GROUP BY org_id),
        moved AS (
          UPDATE credit_account a
             SET held = a.held - p.total, available = a.available + p.released - coalesce(x.amount, 0),
                 updated_at = now()
            FROM per_org p LEFT JOIN lapsed_per_org x ON x.org_id = p.org_id
           WHERE a.org_id = p.org_id
           RETURNING p.settled),
        unspent AS (
          UPDATE spend_counter c SET spent = c.spent - r.amount
            FROM (SELECT h.org_id, s.scope, s.subject_id, p.period,
                         date_trunc(p.period, h.created_at AT TIME ZONE 'UTC')::date AS period_start,
                         sum(i.amount) AS amount
                    FROM ins i
                    JOIN credit_transaction h ON h.id = i.hold_id
                   CROSS JOIN LATERAL (VALUES ('org', ''), ('user', h.created_by), ('api_key', h.metadata->>'apiKeyId'))
                         AS s(scope, subject_id)
                   CROSS JOIN (VALUES ('day'), ('month')) AS p(period)
                   WHERE i.type = 'credit_released' AND s.subject_id IS NOT NULL
                   GROUP BY 1, 2, 3, 4, 5) r
           WHERE c.org_id = r.org_id AND c.scope = r.scope AND c.subject_id = r.subject_id
             AND c.period = r.period AND c.period_start = r.period_start)
        SELECT coalesce(sum(settled), 0)::int INTO v_settled FROM moved;

        IF v_settled > 0 THEN
          SELECT EXISTS (
            SELECT 1 FROM credit_account
             WHERE org_id = ANY(p_org)
               AND (coalesce(available < low_balance_threshold, false) <> low_balance_alerted
                    OR (available = 0) <> depleted_alerted))
            INTO v_balance_alert;
        END IF;
        RETURN QUERY SELECT v_settled, v_balance_alert;
      END
      $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION credit_settle(varchar[], varchar[], bigint[], varchar[], uuid[], uuid[])');
  }
}
