import { MigrationInterface, QueryRunner } from 'typeorm';
import { CREDIT_EXPIRE_DUE_V1 } from './1796026817002-CreditHoldFunction';

/**
 * credit_expire_due in plpgsql, same statement, same result. As a LANGUAGE sql function it was
 * parsed and planned again on every call (PostgreSQL before 18 keeps no plan for a SQL
 * function's body between calls): every credit hold runs it, and in the bench's manual mode
 * that planning was ~1.4 ms of PostgreSQL's CPU per request, half of the hold's time. A plpgsql
 * function keeps its statements' plans for the session, like the request's prepared statements.
 */
export class CreditExpireDuePlpgsql1796028500000 implements MigrationInterface {
  name = 'CreditExpireDuePlpgsql1796028500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Same name, arguments and result type: credit_hold and the sweep call it unchanged.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION credit_expire_due(p_orgs varchar[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_lots integer;
      BEGIN
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
        SELECT count(*)::int INTO v_lots FROM done;
        RETURN v_lots;
      END
      $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // A function's language can be replaced in place, but CREATE (not OR REPLACE) needs it gone.
    await queryRunner.query(`DROP FUNCTION credit_expire_due(varchar[])`);
    await queryRunner.query(CREDIT_EXPIRE_DUE_V1);
  }
}
