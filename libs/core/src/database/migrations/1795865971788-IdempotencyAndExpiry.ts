import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyAndExpiry1795865971788 implements MigrationInterface {
  name = 'IdempotencyAndExpiry1795865971788';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_key" ("org_id" character varying(128) NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "response_status" integer, "response_body" jsonb, "response_headers" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2a013d261bca5e5d2a782c36f7c" PRIMARY KEY ("org_id", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_key_created" ON "idempotency_key" ("created_at") `);
    await queryRunner.query(
      `ALTER TABLE "enrichment" ADD "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_enrichment_open_requested" ON "enrichment" ("requested_at") WHERE "status" IN ('pending', 'processing')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_enrichment_open_requested"`);
    await queryRunner.query(`ALTER TABLE "enrichment" DROP COLUMN "requested_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_idempotency_key_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_key"`);
  }
}
