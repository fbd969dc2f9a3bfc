import { MigrationInterface, QueryRunner } from 'typeorm';

export class GrantReference1795864130107 implements MigrationInterface {
  name = 'GrantReference1795864130107';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_credit_transaction_grant_reference" ON "credit_transaction" ("org_id", "reference_id") WHERE "type" = 'credit_added' AND "reference_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_credit_transaction_grant_reference"`);
  }
}
