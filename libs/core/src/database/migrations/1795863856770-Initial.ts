import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795863856770 implements MigrationInterface {
  name = 'Initial1795863856770';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "global_enrichment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "entity_type" character varying(32) NOT NULL, "entity_id" uuid NOT NULL, "field" character varying(16) NOT NULL, "data" jsonb NOT NULL, "provider" character varying(64) NOT NULL, "found_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_global_enrichment_entity_field" UNIQUE ("entity_type", "entity_id", "field"), CONSTRAINT "PK_f11d24511cbd73a0c6fb4ef8865" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "person" ("id" uuid NOT NULL, "first_name" character varying(100) NOT NULL, "last_name" character varying(100) NOT NULL, "job_title" character varying(200) NOT NULL, "seniority" character varying(50) NOT NULL, "department" character varying(100) NOT NULL, "skills" text array NOT NULL DEFAULT '{}', "country" character varying(100) NOT NULL, "state" character varying(100), "city" character varying(100) NOT NULL, "company_name" character varying(200) NOT NULL, "company_domain" character varying(200) NOT NULL, "company_industry" character varying(100) NOT NULL, "company_employee_size" integer NOT NULL, "linkedin_url" character varying(300), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5fdaf670315c4b7e70cce85daa3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_person_company_employee_size" ON "person" ("company_employee_size") `);
    await queryRunner.query(`CREATE INDEX "IDX_person_order" ON "person" ("last_name", "first_name", "id") `);
    await queryRunner.query(
      `CREATE TABLE "enrichment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "entity_id" uuid NOT NULL, "entity_type" character varying(32) NOT NULL, "field" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "error" text, "created_by" character varying(256) NOT NULL, "org_id" character varying(128) NOT NULL, "global_enrichment_id" uuid, "credit_transaction_id" uuid, "data_found" boolean, "charge" integer NOT NULL DEFAULT '0', "settled_at" TIMESTAMP WITH TIME ZONE, "job_id" character varying(100), "queued_at" TIMESTAMP WITH TIME ZONE, "processing_started_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_enrichment_org_entity_field" UNIQUE ("org_id", "entity_type", "entity_id", "field"), CONSTRAINT "PK_8f4a0c162ea8a5ebafb669ef934" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_enrichment_status_queued" ON "enrichment" ("status", "queued_at") `);
    await queryRunner.query(
      `CREATE TABLE "credit_transaction" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "type" character varying(32) NOT NULL, "amount" integer NOT NULL, "operation_type" character varying(32), "source" character varying(32), "reference_id" character varying(200), "hold_id" uuid, "enrichment_id" uuid, "description" character varying(500), "metadata" jsonb, "created_by" character varying(256), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_credit_transaction_amount" CHECK ("amount" > 0), CONSTRAINT "PK_939cbf4663a29962f4d5d97d054" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_credit_transaction_settlement" ON "credit_transaction" ("hold_id", "enrichment_id") WHERE "type" IN ('credit_consumed', 'credit_released')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_credit_transaction_org_created" ON "credit_transaction" ("org_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "credit_account" ("org_id" character varying(128) NOT NULL, "available" integer NOT NULL DEFAULT '0', "held" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_credit_account_held" CHECK ("held" >= 0), CONSTRAINT "CHK_credit_account_available" CHECK ("available" >= 0), CONSTRAINT "PK_0fcf0bb8eedef6e07a0c750f781" PRIMARY KEY ("org_id"))`,
    );
    // Case-insensitive filters: expression indexes TypeORM cannot describe (declared with
    // synchronize: false on PersonEntity so migration:generate leaves them alone).
    for (const column of [
      'job_title',
      'seniority',
      'department',
      'country',
      'state',
      'city',
      'company_name',
      'company_domain',
      'company_industry',
    ]) {
      await queryRunner.query(`CREATE INDEX "IDX_person_${column}_lower" ON "person" (lower("${column}"))`);
    }
    await queryRunner.query(`CREATE INDEX "IDX_person_skills" ON "person" USING GIN ("skills")`);
    // The ledger is append-only: history is never rewritten, only added to.
    await queryRunner.query(`CREATE FUNCTION credit_transaction_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'credit_transaction is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_credit_transaction_append_only" BEFORE UPDATE OR DELETE ON "credit_transaction"
            FOR EACH ROW EXECUTE FUNCTION credit_transaction_append_only()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_credit_transaction_append_only" ON "credit_transaction"`);
    await queryRunner.query(`DROP FUNCTION credit_transaction_append_only()`);
    await queryRunner.query(`DROP TABLE "credit_account"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_credit_transaction_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_credit_transaction_settlement"`);
    await queryRunner.query(`DROP TABLE "credit_transaction"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_enrichment_status_queued"`);
    await queryRunner.query(`DROP TABLE "enrichment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_person_order"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_person_company_employee_size"`);
    await queryRunner.query(`DROP TABLE "person"`);
    await queryRunner.query(`DROP TABLE "global_enrichment"`);
  }
}
