import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1795865547761 implements MigrationInterface {
  name = 'Webhooks1795865547761';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoint" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "url" character varying(2048) NOT NULL, "secret" character varying(256) NOT NULL, "events" character varying(64) array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6c98112122b2b8a4f3984d2efa8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webhook_endpoint_org" ON "webhook_endpoint" ("org_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "org_id" character varying(128) NOT NULL, "endpoint_id" uuid NOT NULL, "type" character varying(64) NOT NULL, "data" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "enqueued_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0f56d2f40f5ec823acf8e8edad1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_event_pending" ON "webhook_event" ("enqueued_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webhook_event_endpoint" ON "webhook_event" ("endpoint_id") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "endpoint_id" uuid NOT NULL, "attempt" integer NOT NULL, "status" character varying(16) NOT NULL, "response_status" integer, "error" text, "duration_ms" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_webhook_delivery_event_attempt" UNIQUE ("event_id", "attempt"), CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_delivery_endpoint_created" ON "webhook_delivery" ("endpoint_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_event" ADD CONSTRAINT "FK_973130690b938f39347c768bf56" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_b723a573cd78b4cff3404153ad1" FOREIGN KEY ("event_id") REFERENCES "webhook_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_f53f5aec02217a54927b13e39d9" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_f53f5aec02217a54927b13e39d9"`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_b723a573cd78b4cff3404153ad1"`);
    await queryRunner.query(`ALTER TABLE "webhook_event" DROP CONSTRAINT "FK_973130690b938f39347c768bf56"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_delivery_endpoint_created"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_event_endpoint"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_event_pending"`);
    await queryRunner.query(`DROP TABLE "webhook_event"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_endpoint_org"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoint"`);
  }
}
