import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1796020000000 implements MigrationInterface {
  name = 'ApiKeys1796020000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_key" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "scopes" character varying(32) array NOT NULL, "secret_hash" character(64) NOT NULL, "previous_secret_hash" character(64), "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(256) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_key_secret_hash" ON "api_key" ("secret_hash") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_api_key_previous_secret_hash" ON "api_key" ("previous_secret_hash") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_api_key_org_created" ON "api_key" ("org_id", "created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_api_key_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_api_key_previous_secret_hash"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_api_key_secret_hash"`);
    await queryRunner.query(`DROP TABLE "api_key"`);
  }
}
