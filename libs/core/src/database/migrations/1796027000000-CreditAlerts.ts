import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreditAlerts1796027000000 implements MigrationInterface {
  name = 'CreditAlerts1796027000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "spend_limit" ADD "reached_period_start" date`);
    await queryRunner.query(`ALTER TABLE "credit_account" ADD "low_balance_threshold" bigint`);
    await queryRunner.query(`ALTER TABLE "credit_account" ADD "low_balance_alerted" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "credit_account" ADD "depleted_alerted" boolean NOT NULL DEFAULT false`);
    // An org already at 0 was depleted before alerts existed: no event for that old news.
    await queryRunner.query(`UPDATE "credit_account" SET "depleted_alerted" = true WHERE "available" = 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credit_account" DROP COLUMN "depleted_alerted"`);
    await queryRunner.query(`ALTER TABLE "credit_account" DROP COLUMN "low_balance_alerted"`);
    await queryRunner.query(`ALTER TABLE "credit_account" DROP COLUMN "low_balance_threshold"`);
    await queryRunner.query(`ALTER TABLE "spend_limit" DROP COLUMN "reached_period_start"`);
  }
}
