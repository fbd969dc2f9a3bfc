import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The global cache's unique key leads with `entity_id`. Every read of the cache asks for a set of
 * leads (`entity_id = ANY(...)`, or a join on a request's lead ids) of one type and field; led by
 * `entity_type`, the key let the planner choose between probing each lead and walking every
 * cached lead of that type and field with a filter, and with statistics that did not yet know
 * the table (new, or just grown by a burst of findings) it chose the walk: 5 ms per 50-lead read
 * at 14,000 cached rows, growing with the cache. Led by the lead, a read is one probe per lead
 * whatever the statistics say. Same columns, same name, same uniqueness.
 */
export class GlobalCacheKeyByEntity1796028200000 implements MigrationInterface {
  name = 'GlobalCacheKeyByEntity1796028200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "global_enrichment" DROP CONSTRAINT "UQ_global_enrichment_entity_field",
         ADD CONSTRAINT "UQ_global_enrichment_entity_field" UNIQUE ("entity_id", "entity_type", "field")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "global_enrichment" DROP CONSTRAINT "UQ_global_enrichment_entity_field",
         ADD CONSTRAINT "UQ_global_enrichment_entity_field" UNIQUE ("entity_type", "entity_id", "field")`,
    );
  }
}
