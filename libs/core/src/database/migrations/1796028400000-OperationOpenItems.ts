import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `enrichment_operation.open_items`: how many of an operation's items were not yet final when
 * last counted, decremented as settlements reach them. Deciding whether an operation is complete
 * means reading every item and its enrichment (1,000 of each for a full selection) — done by
 * every job of the operation, that is 2–3 ms inside the org's account lock per job, most of an
 * operation's jobs paying it with hundreds of items still open. The count is a hint that says
 * when that check is worth making; the check stays the truth. Operations running when this
 * migration runs start at 0, which means "check every time", as before.
 */
export class OperationOpenItems1796028400000 implements MigrationInterface {
  name = 'OperationOpenItems1796028400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrichment_operation" ADD "open_items" integer NOT NULL DEFAULT 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrichment_operation" DROP COLUMN "open_items"`);
  }
}
