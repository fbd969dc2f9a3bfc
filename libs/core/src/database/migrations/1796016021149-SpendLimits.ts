import { MigrationInterface, QueryRunner } from 'typeorm';

export class SpendLimits1796016021149 implements MigrationInterface {
  name = 'SpendLimits1796016021149';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "spend_limit" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "scope" character varying(16) NOT NULL, "subject_id" character varying(256) NOT NULL, "period" character varying(8) NOT NULL, "credit_limit" bigint NOT NULL, "created_by" character varying(256) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_spend_limit_subject" CHECK (("scope" = 'org') = ("subject_id" = '')), CONSTRAINT "CHK_spend_limit_amount" CHECK ("credit_limit" > 0), CONSTRAINT "PK_dac2829c4608389244bb63c57e2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_spend_limit_subject_period" ON "spend_limit" ("org_id", "scope", "subject_id", "period") `,
    );
    await queryRunner.query(
      `CREATE TABLE "spend_counter" ("org_id" character varying(128) NOT NULL, "scope" character varying(16) NOT NULL, "subject_id" character varying(256) NOT NULL, "period" character varying(8) NOT NULL, "period_start" date NOT NULL, "spent" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_5be729e43b892fa34b6b74ba5b2" PRIMARY KEY ("org_id", "scope", "subject_id", "period", "period_start"))`,
    );
    // Counters start from the ledger, so holds made before this migration still count, and
    // their later releases subtract from a counter that includes them.
    await queryRunner.query(`INSERT INTO "spend_counter" ("org_id", "scope", "subject_id", "period", "period_start", "spent")
            SELECT h.org_id, s.scope, s.subject_id, p.period, date_trunc(p.period, h.created_at AT TIME ZONE 'UTC')::date,
                   sum(h.amount - coalesce(r.released, 0))
              FROM credit_transaction h
              LEFT JOIN LATERAL (SELECT sum(amount) AS released FROM credit_transaction
                                  WHERE hold_id = h.id AND type = 'credit_released') r ON true
             CROSS JOIN LATERAL (VALUES ('org', ''), ('user', h.created_by), ('api_key', h.metadata->>'apiKeyId')) AS s(scope, subject_id)
             CROSS JOIN (VALUES ('day'), ('month')) AS p(period)
             WHERE h.type = 'credit_reserved' AND s.subject_id IS NOT NULL
             GROUP BY 1, 2, 3, 4, 5`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "spend_counter"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_spend_limit_subject_period"`);
    await queryRunner.query(`DROP TABLE "spend_limit"`);
  }
}
