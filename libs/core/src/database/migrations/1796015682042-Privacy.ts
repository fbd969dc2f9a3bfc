import { MigrationInterface, QueryRunner } from 'typeorm';

export class Privacy1796015682042 implements MigrationInterface {
  name = 'Privacy1796015682042';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "suppression" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128), "kind" character varying(16) NOT NULL, "value" character varying(320) NOT NULL, "reason" character varying(500) NOT NULL, "created_by" character varying(256) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_suppression_org_kind_value" UNIQUE ("org_id", "kind", "value"), CONSTRAINT "PK_6cdb9d5d3bd43881a7072964b56" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_suppression_kind_value" ON "suppression" ("kind", "value") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_suppression_platform_kind_value" ON "suppression" ("kind", "value") WHERE "org_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "erasure" ("id" uuid NOT NULL, "requested_by" character varying(256) NOT NULL, "person_ids" uuid array NOT NULL, "email" character varying(320), "phone" character varying(32), "records" integer NOT NULL, "orgs" integer NOT NULL, "cache_entries" integer NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9319154af7dd3e180c732f147ec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`ALTER TABLE "enrichment" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
    // Values stored before provenance existed: their row's provider found them at found_at.
    await queryRunner.query(`UPDATE global_enrichment g
            SET data = jsonb_build_object(k.key, (
                  SELECT coalesce(jsonb_agg(e.v || jsonb_build_object('source', g.provider, 'foundAt', k.at, 'lastConfirmedAt', k.at) ORDER BY e.ord), '[]'::jsonb)
                    FROM jsonb_array_elements(g.data -> k.key) WITH ORDINALITY AS e(v, ord)))
           FROM (SELECT id, CASE WHEN data ? 'emails' THEN 'emails' ELSE 'phones' END AS key,
                        to_char(found_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
                   FROM global_enrichment) k
          WHERE k.id = g.id`);
    await queryRunner.query(`CREATE INDEX "IDX_global_enrichment_found_at" ON "global_enrichment" ("found_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_enrichment_global" ON "enrichment" ("global_enrichment_id") WHERE "global_enrichment_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE global_enrichment g
            SET data = jsonb_build_object(k.key, (
                  SELECT coalesce(jsonb_agg(e.v - 'source' - 'foundAt' - 'lastConfirmedAt' ORDER BY e.ord), '[]'::jsonb)
                    FROM jsonb_array_elements(g.data -> k.key) WITH ORDINALITY AS e(v, ord)))
           FROM (SELECT id, CASE WHEN data ? 'emails' THEN 'emails' ELSE 'phones' END AS key FROM global_enrichment) k
          WHERE k.id = g.id`);
    await queryRunner.query(`DROP INDEX "public"."IDX_enrichment_global"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_global_enrichment_found_at"`);
    await queryRunner.query(`ALTER TABLE "enrichment" DROP COLUMN "purged_at"`);
    await queryRunner.query(`DROP TABLE "erasure"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_suppression_platform_kind_value"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_suppression_kind_value"`);
    await queryRunner.query(`DROP TABLE "suppression"`);
  }
}
