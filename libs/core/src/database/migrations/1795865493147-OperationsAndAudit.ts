import { MigrationInterface, QueryRunner } from 'typeorm';

export class OperationsAndAudit1795865493147 implements MigrationInterface {
  name = 'OperationsAndAudit1795865493147';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "enrichment_operation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "created_by" character varying(256) NOT NULL, "kind" character varying(16) NOT NULL, "field" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "total" integer NOT NULL, "reused" integer NOT NULL, "created" integer NOT NULL, "hold_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_2e3953367d82393ce9e3598556f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_enrichment_operation_running" ON "enrichment_operation" ("status") WHERE "status" = 'running'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_enrichment_operation_org_created" ON "enrichment_operation" ("org_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "enrichment_operation_item" ("operation_id" uuid NOT NULL, "enrichment_id" uuid NOT NULL, "position" integer NOT NULL, "reused" boolean NOT NULL, CONSTRAINT "PK_f4f844eeffeae9f75a3ef22a98b" PRIMARY KEY ("operation_id", "enrichment_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_enrichment_operation_item_enrichment" ON "enrichment_operation_item" ("enrichment_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "actor_id" character varying(256) NOT NULL, "actor_org_id" character varying(128) NOT NULL, "action" character varying(64) NOT NULL, "org_id" character varying(128), "target_type" character varying(32), "target_id" character varying(200), "details" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_log_org_created" ON "audit_log" ("org_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_log_created" ON "audit_log" ("created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_log_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_log_org_created"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_enrichment_operation_item_enrichment"`);
    await queryRunner.query(`DROP TABLE "enrichment_operation_item"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_enrichment_operation_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_enrichment_operation_running"`);
    await queryRunner.query(`DROP TABLE "enrichment_operation"`);
  }
}
