import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Balances and ledger amounts become 64-bit: a 32-bit balance overflowed (a 500) once an org's
 * credits passed 2,147,483,647. Altered in place (not dropped and re-added as the generator
 * proposes) so every balance and ledger entry is kept; the CHECK constraints carry over.
 * `down` fails when a value no longer fits in 32 bits — on purpose, rather than lose credits.
 */
export class BigintCredits1796015573326 implements MigrationInterface {
  name = 'BigintCredits1796015573326';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credit_transaction" ALTER COLUMN "amount" TYPE bigint`);
    await queryRunner.query(
      `ALTER TABLE "credit_account" ALTER COLUMN "available" TYPE bigint, ALTER COLUMN "held" TYPE bigint`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "credit_account" ALTER COLUMN "available" TYPE integer, ALTER COLUMN "held" TYPE integer`,
    );
    await queryRunner.query(`ALTER TABLE "credit_transaction" ALTER COLUMN "amount" TYPE integer`);
  }
}
