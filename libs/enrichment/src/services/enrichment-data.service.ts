import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ContactField, queryRows, runInTransaction } from '@app/core';
import { PrivacyService } from '@app/privacy';
import { EntityType } from '../enrichment.types';
import { StoredContactData } from './provenance';

/** An org enrichment whose found data was removed. */
export interface RemovedEnrichment {
  id: string;
  orgId: string;
  entityId: string;
  field: ContactField;
}

export interface RemovedContactData {
  /** Global cache entries deleted. */
  cacheEntries: number;
  /** The values they held, as stored (so that callers can suppress them). */
  emails: string[];
  phones: string[];
  enrichments: RemovedEnrichment[];
}

/**
 * The found contact data itself, for privacy use cases orchestrated elsewhere (erasure from
 * the admin console) and for retention. Only the data goes: every enrichment stays, with
 * `dataFound` as it was (it was paid for) and `purged_at` saying when its data was removed.
 */
@Injectable()
export class EnrichmentDataService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly privacy: PrivacyService,
  ) {}

  /** The leads whose stored data holds this email (compared lower-cased) or this E.164 phone. */
  async leadsHolding(manager: EntityManager, match: { email: string | null; phone: string | null }): Promise<string[]> {
    if (match.email === null && match.phone === null) return [];
    const rows: { entity_id: string }[] = await manager.query(
      `SELECT DISTINCT entity_id FROM global_enrichment g
        WHERE entity_type = $1
          AND ((field = '${ContactField.EMAILS}' AND EXISTS (
                 SELECT 1 FROM jsonb_array_elements(g.data -> 'emails') v WHERE lower(v ->> 'address') = $2))
            OR (field = '${ContactField.PHONES}' AND EXISTS (
                 SELECT 1 FROM jsonb_array_elements(g.data -> 'phones') v WHERE v ->> 'number' = $3)))`,
      [EntityType.PERSON, match.email, match.phone],
    );
    return rows.map((row) => row.entity_id);
  }

  /** Deletes every field's found data of these leads, from the cache and so from every org's enrichments. */
  async removeForLeads(manager: EntityManager, leadIds: readonly string[]): Promise<RemovedContactData> {
    if (leadIds.length === 0) return { cacheEntries: 0, emails: [], phones: [], enrichments: [] };
    return this.remove(
      manager,
      `DELETE FROM global_enrichment WHERE entity_type = $1 AND entity_id = ANY($2::uuid[]) RETURNING id, data`,
      [EntityType.PERSON, leadIds],
    );
  }

  /**
   * Retention: deletes data no provider has returned for `days` days (found_at is refreshed
   * by every provider answer that confirms it). Called by one sweep at a time cluster-wide.
   */
  async purgeUnconfirmedSince(days: number): Promise<RemovedContactData> {
    return runInTransaction(this.dataSource, async (manager) => {
      // Exclusive, as an erasure: no processor is between reading the cache and pointing at it.
      await this.privacy.lockExclusive(manager);
      return this.remove(
        manager,
        `DELETE FROM global_enrichment WHERE found_at < now() - make_interval(days => $1) RETURNING id, data`,
        [days],
      );
    });
  }

  private async remove(manager: EntityManager, deleteSql: string, params: unknown[]): Promise<RemovedContactData> {
    const deleted = await queryRows<{ id: string; data: StoredContactData }>(manager, deleteSql, params);
    if (deleted.length === 0) return { cacheEntries: 0, emails: [], phones: [], enrichments: [] };
    const enrichments = await queryRows<{ id: string; org_id: string; entity_id: string; field: ContactField }>(
      manager,
      `UPDATE enrichment SET global_enrichment_id = NULL, purged_at = now(), updated_at = now()
        WHERE global_enrichment_id = ANY($1::uuid[])
        RETURNING id, org_id, entity_id, field`,
      [deleted.map((row) => row.id)],
    );
    return {
      cacheEntries: deleted.length,
      emails: deleted.flatMap(({ data }) => ('emails' in data ? data.emails.map((email) => email.address) : [])),
      phones: deleted.flatMap(({ data }) => ('phones' in data ? data.phones.map((phone) => phone.number) : [])),
      enrichments: enrichments.map((row) => ({
        id: row.id,
        orgId: row.org_id,
        entityId: row.entity_id,
        field: row.field,
      })),
    };
  }
}
