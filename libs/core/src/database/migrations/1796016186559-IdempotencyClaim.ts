import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyClaim1796016186559 implements MigrationInterface {
  name = 'IdempotencyClaim1796016186559';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_key" ADD "claim_id" uuid NOT NULL DEFAULT gen_random_uuid()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_key" DROP COLUMN "claim_id"`);
  }
}
