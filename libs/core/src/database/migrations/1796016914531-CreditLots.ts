import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreditLots1796016914531 implements MigrationInterface {
  name = 'CreditLots1796016914531';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "credit_lot" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "grant_id" uuid, "source" character varying(32), "granted" bigint NOT NULL, "remaining" bigint NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "expired_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_credit_lot_remaining" CHECK ("remaining" >= 0 AND "remaining" <= "granted"), CONSTRAINT "PK_5c083d23a5358362b04329a9b10" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_credit_lot_due" ON "credit_lot" ("expires_at") WHERE "expired_at" IS NULL AND "expires_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_credit_lot_draw" ON "credit_lot" ("org_id", "expires_at", "created_at") WHERE "expired_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "credit_hold_lot" ("hold_id" uuid NOT NULL, "lot_id" uuid NOT NULL, "start" bigint NOT NULL, "amount" bigint NOT NULL, "returned" bigint NOT NULL DEFAULT '0', CONSTRAINT "CHK_credit_hold_lot_returned" CHECK ("returned" >= 0 AND "returned" <= "amount"), CONSTRAINT "PK_9c46e02ea779951be70bc86097d" PRIMARY KEY ("hold_id", "lot_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_credit_hold_lot_lot" ON "credit_hold_lot" ("lot_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_credit_transaction_lot_expiry" ON "credit_transaction" ("reference_id") WHERE "type" = 'credit_expired' AND "hold_id" IS NULL`,
    );
    // Balances that predate lots: one opening lot per account (no expiry) holding what is
    // available now plus what its open holds drew, and those holds drawn from it, so that
    // their later releases have a lot to return to.
    await queryRunner.query(`WITH open_holds AS (
              SELECT h.id, h.org_id, h.amount,
                     coalesce(sum(s.amount) FILTER (WHERE s.type = 'credit_released'), 0) AS released
                FROM credit_transaction h
                LEFT JOIN credit_transaction s ON s.hold_id = h.id AND s.type IN ('credit_consumed', 'credit_released')
               WHERE h.type = 'credit_reserved'
               GROUP BY h.id, h.org_id, h.amount HAVING coalesce(sum(s.amount), 0) < h.amount),
            opening AS (
              INSERT INTO credit_lot (org_id, granted, remaining)
              SELECT a.org_id,
                     a.available + coalesce((SELECT sum(o.amount - o.released) FROM open_holds o WHERE o.org_id = a.org_id), 0),
                     a.available
                FROM credit_account a
              RETURNING id, org_id)
            INSERT INTO credit_hold_lot (hold_id, lot_id, start, amount, returned)
            SELECT o.id, l.id, 0, o.amount, o.released FROM open_holds o JOIN opening l ON l.org_id = o.org_id`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_credit_transaction_lot_expiry"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_credit_hold_lot_lot"`);
    await queryRunner.query(`DROP TABLE "credit_hold_lot"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_credit_lot_draw"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_credit_lot_due"`);
    await queryRunner.query(`DROP TABLE "credit_lot"`);
  }
}
