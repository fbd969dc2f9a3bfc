import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A credit hold in one round trip. CreditsService.hold used to send five statements in a row
 * (spend-limit check, lot expiry, account + ledger, lot draw, spend counters): on the request
 * path each is a socket write and a wait, and with the other statements of a request they were
 * the largest cost in the API's CPU profile. The same steps, in the same order, now run inside
 * PostgreSQL; being plpgsql, each statement still sees the effects of the ones before it.
 *
 * - credit_expire_due(orgs): writes off the remainder of these orgs' lots past their expiry
 *   (also what the expiry sweep runs); returns how many lots expired.
 * - credit_hold(...): under the caller's account lock, refuses ('spend_limit', 'insufficient')
 *   without writing anything but expiries, or moves the amount from available to held, writes
 *   the hold to the ledger, draws it from the lots (soonest expiry first) and adds it to the
 *   day and month spend counters of the org, the user and the API key; returns the hold id.
 */
/** credit_expire_due as this migration made it (CreditExpireDuePlpgsql replaces it; its down restores this). */
export const CREDIT_EXPIRE_DUE_V1 = `
      CREATE FUNCTION credit_expire_due(p_orgs varchar[]) RETURNS integer LANGUAGE sql VOLATILE AS $$
        WITH due AS (
          SELECT id, org_id, remaining FROM credit_lot
           WHERE org_id = ANY(p_orgs) AND expired_at IS NULL AND expires_at <= now() FOR UPDATE),
        done AS (UPDATE credit_lot l SET expired_at = now(), remaining = 0 FROM due WHERE l.id = due.id RETURNING l.id),
        written AS (
          INSERT INTO credit_transaction (org_id, type, amount, reference_id, description)
          SELECT due.org_id, 'credit_expired', due.remaining, due.id::text, 'Unspent remainder of an expired grant'
            FROM due JOIN done ON done.id = due.id WHERE due.remaining > 0
          ON CONFLICT (reference_id) WHERE type = 'credit_expired' AND hold_id IS NULL DO NOTHING
          RETURNING org_id, amount),
        moved AS (
          UPDATE credit_account a SET available = a.available - x.amount, updated_at = now()
            FROM (SELECT org_id, sum(amount) AS amount FROM written GROUP BY org_id) x
           WHERE a.org_id = x.org_id)
        SELECT count(*)::int FROM done
      $$`;

/** credit_hold as this migration made it (CreditHoldAlertSignals replaces it; its down restores this). */
export const CREDIT_HOLD_V1 = `
      CREATE FUNCTION credit_hold(
        p_org varchar, p_user varchar, p_api_key varchar, p_amount bigint,
        p_operation_type varchar, p_reference varchar, p_metadata jsonb
      ) RETURNS TABLE (hold_id uuid, refusal varchar) LANGUAGE plpgsql VOLATILE AS $$
      #variable_conflict use_column
      DECLARE
        v_hold uuid;
        v_drawn bigint;
      BEGIN
        IF EXISTS (
          SELECT 1 FROM spend_limit l
            LEFT JOIN spend_counter c
                   ON c.org_id = l.org_id AND c.scope = l.scope AND c.subject_id = l.subject_id
                  AND c.period = l.period AND c.period_start = date_trunc(l.period, now() AT TIME ZONE 'UTC')::date
           WHERE l.org_id = p_org
             AND (l.scope = 'org' OR (l.scope = 'user' AND l.subject_id = p_user)
                  OR (l.scope = 'api_key' AND l.subject_id = p_api_key))
             AND coalesce(c.spent, 0) + p_amount > l.credit_limit) THEN
          RETURN QUERY SELECT NULL::uuid, 'spend_limit'::varchar;
          RETURN;
        END IF;

        -- Credits past their expiry are not spendable, even if the sweep has not come by yet.
        PERFORM credit_expire_due(ARRAY[p_org]);

        WITH moved AS (
          UPDATE credit_account SET available = available - p_amount, held = held + p_amount, updated_at = now()
           WHERE org_id = p_org AND available >= p_amount
           RETURNING org_id)
        INSERT INTO credit_transaction (org_id, type, amount, operation_type, reference_id, created_by, metadata)
        SELECT org_id, 'credit_reserved', p_amount, p_operation_type, p_reference, p_user, p_metadata FROM moved
        RETURNING id INTO v_hold;
        IF v_hold IS NULL THEN
          RETURN QUERY SELECT NULL::uuid, 'insufficient'::varchar;
          RETURN;
        END IF;

        -- Soonest expiry first (lots without one last), then oldest; each part recorded.
        WITH c AS (
          SELECT id, remaining,
                 sum(remaining) OVER (ORDER BY expires_at ASC NULLS LAST, created_at, id) - remaining AS before
            FROM credit_lot WHERE org_id = p_org AND expired_at IS NULL AND remaining > 0),
        take AS (SELECT id, before, least(remaining, p_amount - before) AS amount FROM c WHERE before < p_amount),
        drawn AS (UPDATE credit_lot l SET remaining = l.remaining - t.amount FROM take t WHERE l.id = t.id RETURNING l.id),
        parts AS (
          INSERT INTO credit_hold_lot (hold_id, lot_id, start, amount)
          SELECT v_hold, t.id, t.before, t.amount FROM take t JOIN drawn d ON d.id = t.id
          RETURNING amount)
        SELECT coalesce(sum(amount), 0) INTO v_drawn FROM parts;
        IF v_drawn <> p_amount THEN
          RAISE EXCEPTION 'Lots of % cover % of a % hold: account and lots disagree', p_org, v_drawn, p_amount;
        END IF;

        -- Counted for every hold, limit or not, so a limit created mid-period starts from what was spent.
        INSERT INTO spend_counter (org_id, scope, subject_id, period, period_start, spent)
        SELECT p_org, s.scope, s.subject_id, p.period, date_trunc(p.period, now() AT TIME ZONE 'UTC')::date, p_amount
          FROM (VALUES ('org', ''), ('user', p_user), ('api_key', p_api_key)) AS s(scope, subject_id)
         CROSS JOIN (VALUES ('day'), ('month')) AS p(period)
         WHERE s.subject_id IS NOT NULL
        ON CONFLICT (org_id, scope, subject_id, period, period_start)
           DO UPDATE SET spent = spend_counter.spent + EXCLUDED.spent;

        RETURN QUERY SELECT v_hold, NULL::varchar;
      END
      $$`;

export class CreditHoldFunction1796026817002 implements MigrationInterface {
  name = 'CreditHoldFunction1796026817002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(CREDIT_EXPIRE_DUE_V1);
    await queryRunner.query(CREDIT_HOLD_V1);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION credit_hold(varchar, varchar, varchar, bigint, varchar, varchar, jsonb)`);
    await queryRunner.query(`DROP FUNCTION credit_expire_due(varchar[])`);
  }
}
