import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ContactField } from '@app/core';
import type { EnrichmentStatus } from '../enrichment.types';

export interface EnrichmentOutcomeCount {
  /** The provider that found the data (from the global cache row); null when nothing was found yet. */
  provider: string | null;
  field: ContactField;
  status: EnrichmentStatus;
  dataFound: boolean | null;
  count: number;
}

/**
 * Read-only figures about enrichment records for monitoring. They come from PostgreSQL, not
 * from process memory, so they count what every worker process did.
 */
@Injectable()
export class EnrichmentStatsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Enrichments per provider, field, status and dataFound, across all orgs. */
  async outcomeCounts(): Promise<EnrichmentOutcomeCount[]> {
    const rows: EnrichmentOutcomeCount[] = await this.dataSource.query(
      `SELECT g.provider, e.field, e.status, e.data_found AS "dataFound", count(*)::int AS count
         FROM enrichment e
         LEFT JOIN global_enrichment g ON g.id = e.global_enrichment_id
        GROUP BY g.provider, e.field, e.status, e.data_found
        ORDER BY g.provider, e.field, e.status, e.data_found`,
    );
    return rows;
  }
}
