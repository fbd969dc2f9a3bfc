import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException, ContactField, ErrorCode } from '@app/core';
import { PrivacyService } from '@app/privacy';
import type { FoundContactData } from '@app/providers';
import { EnrichmentReceipt, RECEIPT_COLUMNS, ReceiptRow, toReceipt } from '../read-models/enrichment-receipt';
import { ENRICHMENT_VIEW_COLUMNS, EnrichmentRow, enrichmentViewColumns, toEnrichmentView } from '../enrichment.mapper';
import { EnrichmentStatus, EntityType, EnrichmentView } from '../enrichment.types';
import { StoredContactData } from './provenance';

export interface EnrichmentWithData extends EnrichmentView {
  /** What was found, once finished with data; null otherwise. Each value carries its provenance. */
  data: StoredContactData | null;
  /** When the found data was removed (retention or erasure); absent while it is kept. */
  purgedAt?: string;
  /** What the lead cost and why. */
  receipt: EnrichmentReceipt;
}

export interface EnrichmentTask {
  entityId: string;
  field: ContactField;
  entityType?: EntityType;
}

/** Read side: an org's enrichments, always scoped by org. */
@Injectable()
export class EnrichmentQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly privacy: PrivacyService,
  ) {}

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

  /** The org's enrichment of one lead and field, with the found data; 404 when the org has none. */
  async findOneWithData(orgId: string, leadId: string, field: ContactField): Promise<EnrichmentWithData> {
    const [row]: (EnrichmentRow & ReceiptRow & { data: StoredContactData | null; purged_at: Date | null })[] =
      await this.dataSource.query(
        `SELECT ${enrichmentViewColumns('e')}, e.purged_at, ${RECEIPT_COLUMNS},
              CASE WHEN e.status = $4 AND e.data_found THEN g.data END AS data
         FROM enrichment e LEFT JOIN global_enrichment g ON g.id = e.global_enrichment_id
        WHERE e.org_id = $1 AND e.entity_type = $2 AND e.entity_id = $3 AND e.field = $5`,
        [orgId, EntityType.PERSON, leadId.toLowerCase(), EnrichmentStatus.FINISHED, field],
      );
    if (!row)
      throw new AppException(ErrorCode.NOT_FOUND, `No ${field} enrichment of lead ${leadId} for this organisation`);
    // What a list applying to this org suppresses is never shown, whenever it was found.
    const data = row.data
      ? ((await this.privacy.redact(this.dataSource, orgId, [{ leadId: row.entity_id, data: row.data }])).get(
          row.entity_id,
        ) ?? null)
      : null;
    return {
      ...toEnrichmentView(row),
      data,
      ...(row.purged_at ? { purgedAt: row.purged_at.toISOString() } : {}),
      receipt: toReceipt(row),
    };
  }

  /** Lead id → the data this org has found for it, per field (other orgs' results stay invisible). */
  async foundDataFor(
    orgId: string,
    leadIds: readonly string[],
  ): Promise<Map<string, Partial<Record<ContactField, FoundContactData>>>> {
    const rows: { entity_id: string; field: ContactField; data: FoundContactData }[] = await this.dataSource.query(
      `SELECT e.entity_id, e.field, g.data
         FROM enrichment e JOIN global_enrichment g ON g.id = e.global_enrichment_id
        WHERE e.org_id = $1 AND e.entity_type = $2 AND e.entity_id = ANY($3::uuid[]) AND e.status = $4 AND e.data_found`,
      [orgId, EntityType.PERSON, leadIds, EnrichmentStatus.FINISHED],
    );
    const byLead = new Map<string, Partial<Record<ContactField, FoundContactData>>>();
    for (const field of Object.values(ContactField)) {
      const entries = rows
        .filter((row) => row.field === field)
        .map((row) => ({ leadId: row.entity_id, data: row.data }));
      for (const [leadId, data] of await this.privacy.redact(this.dataSource, orgId, entries)) {
        if (data) byLead.set(leadId, { ...byLead.get(leadId), [field]: data });
      }
    }
    return byLead;
  }
}
