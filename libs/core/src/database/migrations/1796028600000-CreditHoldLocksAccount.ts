import { MigrationInterface, QueryRunner } from 'typeorm';
import { CREDIT_HOLD_V2 } from './1796028000000-CreditHoldAlertSignals';

const BODY_START = '        v_balance_alert boolean;\n      BEGIN\n';

/**
 * credit_hold takes the org's account lock itself, as its first step (creating the account on
 * first use, as CreditsService.lockAccount does), so a request no longer needs a statement of
 * its own for the lock before it holds. Every hold of an org still runs behind that one lock,
 * whoever calls it; for a caller that already holds it, locking the row again is a no-op.
 *
 * Why: a request held the lock across seven round trips (the lock, its reuse read, the hold,
 * the privacy check, the insert, the operation record, the commit), and in the bench's manual
 * mode the org's next request waited a mean 13 ms for it (PostgreSQL's statement log). The
 * request now reads what it may reuse before the hold and proves under the lock that what it
 * read still holds (EnrichmentRequestService), so the lock is held for five.
 *
 * Written as V2 plus the lock, so the one change is the one thing to read.
 */
function withAccountLock(v2: string): string {
  if (v2.split(BODY_START).length !== 2)
    throw new Error('credit_hold V2 no longer has the body this migration extends');
  return orReplace(v2).replace(
    BODY_START,
    `${BODY_START}        -- The account lock first: limits, expiry, balance and lots are read under it.
        PERFORM 1 FROM credit_account WHERE org_id = p_org FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO credit_account (org_id) VALUES (p_org) ON CONFLICT (org_id) DO NOTHING;
          PERFORM 1 FROM credit_account WHERE org_id = p_org FOR UPDATE;
        END IF;

`,
  );
}

/** Same name, arguments and result type: the function is replaced in place. */
function orReplace(sql: string): string {
  return sql.replace('CREATE FUNCTION credit_hold(', 'CREATE OR REPLACE FUNCTION credit_hold(');
}

/** credit_hold as this migration leaves it, as a CREATE OR REPLACE (CreditHoldGivenId starts from it). */
export const CREDIT_HOLD_V3 = withAccountLock(CREDIT_HOLD_V2);

export class CreditHoldLocksAccount1796028600000 implements MigrationInterface {
  name = 'CreditHoldLocksAccount1796028600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(CREDIT_HOLD_V3);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(orReplace(CREDIT_HOLD_V2));
  }
}
