import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ContactField } from '@app/core';
import { ENRICHMENT_VIEW_COLUMNS, EnrichmentRow, toEnrichmentView } from '../enrichment.mapper';
import { EntityType, EnrichmentView } from '../enrichment.types';

export interface EnrichmentTask {
  entityId: string;
  field: ContactField;
  entityType?: EntityType;
}

/** Read side: an org's enrichments, always scoped by org. */
@Injectable()
export class EnrichmentQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The org's enrichments for these tasks, in task order; tasks without a record are left out. */
  async findForTasks(orgId: string, tasks: readonly EnrichmentTask[]): Promise<EnrichmentView[]> {
    const keys = tasks.map((task) => ({
      entityId: task.entityId.toLowerCase(),
      field: task.field,
      entityType: task.entityType ?? EntityType.PERSON,
    }));
    const rows: EnrichmentRow[] = await this.dataSource.query(
      `SELECT ${ENRICHMENT_VIEW_COLUMNS} FROM enrichment
        WHERE org_id = $1
          AND (entity_id, field, entity_type) IN (
              SELECT * FROM unnest($2::uuid[], $3::varchar[], $4::varchar[]))`,
      [orgId, keys.map((k) => k.entityId), keys.map((k) => k.field), keys.map((k) => k.entityType)],
    );
    const byKey = new Map(rows.map((row) => [`${row.entity_type}:${row.entity_id}:${row.field}`, row]));
    const seen = new Set<string>();
    return keys.flatMap((key) => {
      const id = `${key.entityType}:${key.entityId}:${key.field}`;
      const row = byKey.get(id);
      if (!row || seen.has(id)) return [];
      seen.add(id);
      return [toEnrichmentView(row)];
    });
  }
}
