import { MigrationInterface, QueryRunner } from 'typeorm';
import { CREDIT_HOLD_V1 } from './1796026817002-CreditHoldFunction';

const DROP_CREDIT_HOLD = 'DROP FUNCTION credit_hold(varchar, varchar, varchar, bigint, varchar, varchar, jsonb)';

/** credit_hold as this migration creates it (CreditHoldLocksAccount starts from it). */
export const CREDIT_HOLD_V2 = `
      CREATE FUNCTION credit_hold(
        p_org varchar, p_user varchar, p_api_key varchar, p_amount bigint,
        p_operation_type varchar, p_reference varchar, p_metadata jsonb
      ) RETURNS TABLE (hold_id uuid, refusal varchar, limit_reached boolean, balance_alert boolean) LANGUAGE plpgsql VOLATILE AS $$
      #variable_conflict use_column
      DECLARE
        v_hold uuid;
        v_drawn bigint;
        v_limit_reached boolean;
        v_balance_alert boolean;
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
          RETURN QUERY SELECT NULL::uuid, 'spend_limit'::varchar, false, false;
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
          RETURN QUERY SELECT NULL::uuid, 'insufficient'::varchar, false, false;
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

        -- Whether the alerts have anything to do (CreditsService skips them otherwise): a limit
        -- this hold used up exactly, or an alert flag that no longer matches the balance.
        SELECT p_amount > 0 AND EXISTS (
          SELECT 1 FROM spend_limit l
            JOIN spend_counter c
              ON c.org_id = l.org_id AND c.scope = l.scope AND c.subject_id = l.subject_id
             AND c.period = l.period AND c.period_start = date_trunc(l.period, now() AT TIME ZONE 'UTC')::date
           WHERE l.org_id = p_org
             AND (l.scope = 'org' OR (l.scope = 'user' AND l.subject_id = p_user)
                  OR (l.scope = 'api_key' AND l.subject_id = p_api_key))
             AND c.spent = l.credit_limit)
          INTO v_limit_reached;
        SELECT coalesce(available < low_balance_threshold, false) <> low_balance_alerted
               OR (available = 0) <> depleted_alerted
          INTO v_balance_alert
          FROM credit_account WHERE org_id = p_org;

        RETURN QUERY SELECT v_hold, NULL::varchar, v_limit_reached, v_balance_alert;
      END
      $$`;

/**
 * credit_hold also says whether the balance alerts have anything to do after the hold: whether
 * it used a spend limit up exactly (`limit_reached`) and whether an alert flag of the account
 * no longer matches its balance (`balance_alert`). CreditsService read both with two statements
 * after every hold, on the request path; a hold that crosses nothing (nearly all of them) now
 * costs one round trip, not three. Same steps and refusals as before, same arguments.
 */
export class CreditHoldAlertSignals1796028000000 implements MigrationInterface {
  name = 'CreditHoldAlertSignals1796028000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A function's result type cannot be changed in place.
    await queryRunner.query(DROP_CREDIT_HOLD);
    await queryRunner.query(CREDIT_HOLD_V2);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DROP_CREDIT_HOLD);
    await queryRunner.query(CREDIT_HOLD_V1);
  }
}
