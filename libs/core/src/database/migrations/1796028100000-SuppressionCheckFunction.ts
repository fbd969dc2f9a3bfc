import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The privacy lock and the suppression check of a request in one round trip. A request took
 * the shared privacy lock in one statement and asked whether any suppression applies to its org
 * in the next: the check must see every suppression committed before the lock was granted, so
 * it cannot share the lock's statement (whose snapshot is older than the lock). A VOLATILE
 * plpgsql function takes a fresh snapshot for each statement it runs, so here it can.
 * The keys are PrivacyService's LOCK_KEYS.
 */
export class SuppressionCheckFunction1796028100000 implements MigrationInterface {
  name = 'SuppressionCheckFunction1796028100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION privacy_lock_shared_any_suppression(p_org varchar) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(hashtext('privacy'), 0);
        RETURN EXISTS (SELECT 1 FROM suppression WHERE org_id IS NULL OR org_id = p_org);
      END
      $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION privacy_lock_shared_any_suppression(varchar)');
  }
}
