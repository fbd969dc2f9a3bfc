import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, ContactField, queryPrepared, queryRows, runInTransaction } from '@app/core';
import { SettlementOutcome } from '@app/credits';
import { LeadsService } from '@app/leads';
import { PrivacyService } from '@app/privacy';
import { FoundContactData, ProvidersService, WaterfallResult } from '@app/providers';
import { EnrichmentStatus, EntityType } from '../enrichment.types';
import { EnrichmentSettlementService, SettledRow } from './enrichment-settlement.service';
import { StoredContactData, withProvenance } from './provenance';

interface ClaimedRow {
  id: string;
  org_id: string;
  entity_id: string;
  field: ContactField;
}

/** A lead's result: from a provider now, or (with `globalId`) from the global cache. */
type LookUpResult = WaterfallResult & { globalId?: string };
type FoundResult = LookUpResult & { data: FoundContactData; provider: string };

interface FinishedRow extends SettledRow {
  data_found: boolean | null;
}

/**
 * What a batch job does. Every step is safe to run twice (Bull delivers at least once):
 * rows are claimed by status and job id, results are upserted, and a row is finished and
 * settled only by the transaction that moves it out of `processing`.
 */
@Injectable()
export class EnrichmentProcessingService {
  private readonly logger = new Logger(EnrichmentProcessingService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly leads: LeadsService,
    private readonly providers: ProvidersService,
    private readonly settlement: EnrichmentSettlementService,
    private readonly privacy: PrivacyService,
    private readonly config: AppConfig,
  ) {}

  async processBatch(jobId: string, enrichmentIds: readonly string[]): Promise<void> {
    const claimed = await this.claim(jobId, enrichmentIds);
    if (claimed.length === 0) return;
    const byField = new Map<ContactField, ClaimedRow[]>();
    for (const row of claimed) byField.set(row.field, [...(byField.get(row.field) ?? []), row]);
    let completedOperations = 0;
    const claimedIds = claimed.map((row) => row.id);
    for (const [field, rows] of byField) {
      // Suppressed leads never reach a provider; they finish below as not found, released.
      const allowed = await this.leadsNotSuppressed(rows);
      const found = await this.whileLeased(jobId, claimedIds, () => this.lookUp(field, [...allowed]));
      const results = await this.storeFindings(field, found);
      completedOperations += await this.finish(jobId, field, rows, results);
    }
    if (completedOperations > 0) await this.settlement.dispatchCompletionEvents();
  }

  /** After the last attempt: the claimed rows fail and their holds are released. */
  async failBatch(jobId: string, enrichmentIds: readonly string[], reason: string): Promise<void> {
    const completedOperations = await this.failInTransaction(jobId, enrichmentIds, reason);
    if (completedOperations > 0) await this.settlement.dispatchCompletionEvents();
  }

  private async failInTransaction(jobId: string, enrichmentIds: readonly string[], reason: string): Promise<number> {
    return runInTransaction(this.dataSource, async (manager) => {
      const locked = await this.settlement.lockAccountsOf(manager, enrichmentIds);
      const failed: FinishedRow[] = await queryRows(
        manager,
        `UPDATE enrichment SET status = $1, error = $2, settled_at = now(), updated_at = now()
          WHERE id = ANY($3::uuid[]) AND CASE WHEN status = $4 THEN job_id = $5 ELSE false END
          RETURNING id, org_id, credit_transaction_id, charge, field, data_found`,
        [EnrichmentStatus.FAILED, reason.slice(0, 1000), enrichmentIds, EnrichmentStatus.PROCESSING, jobId],
      );
      return (await this.settlement.settle(locked, failed, SettlementOutcome.RELEASE)).length;
    });
  }

  /**
   * Holds that end: enrichments still pending or processing ENRICHMENT_MAX_AGE_MS after they
   * were requested time out and release their share. A provider answer arriving later finds
   * the row no longer `processing` under its job and changes nothing.
   */
  async expireOverdue(): Promise<number> {
    return runInTransaction(this.dataSource, async (manager) => {
      const overdue = `status IN ('${EnrichmentStatus.PENDING}', '${EnrichmentStatus.PROCESSING}')
                       AND requested_at < now() - make_interval(secs => $1::double precision / 1000)`;
      const maxAge = this.config.ENRICHMENT_MAX_AGE_MS;
      const orgs: { org_id: string }[] = await manager.query(
        `SELECT DISTINCT org_id FROM enrichment WHERE ${overdue}`,
        [maxAge],
      );
      if (orgs.length === 0) return 0;
      const orgIds = orgs.map((row) => row.org_id);
      const locked = await this.settlement.lockAccounts(manager, orgIds);
      // Only the locked orgs' rows: one that became overdue since the SELECT waits for the next pass.
      const expired = await queryRows<FinishedRow>(
        manager,
        `UPDATE enrichment SET status = $2, error = $3, settled_at = now(), updated_at = now()
          WHERE ${overdue} AND org_id = ANY($4::varchar[])
          RETURNING id, org_id, credit_transaction_id, charge, field, data_found`,
        [maxAge, EnrichmentStatus.TIMEOUT, `Not finished within ${Math.round(maxAge / 1000)} s`, orgIds],
      );
      await this.settlement.settle(locked, expired, SettlementOutcome.RELEASE);
      if (expired.length > 0) this.logger.warn(`${expired.length} enrichments timed out; their holds were released`);
      return expired.length;
    });
  }

  /**
   * The job's rows that are still pending, or processing under this job (a redelivery) or past
   * their lease. The status test is a CASE on purpose: no index on status can serve it, so the
   * job's ids are the only way in, one primary-key probe each. Written as plain comparisons, the
   * planner could walk the open-rows index instead, and with statistics from before a burst of
   * new rows (which count few open rows) it did, once per job: 10 ms per claim at 20,000 open
   * rows, growing with the backlog.
   */
  private async claim(jobId: string, enrichmentIds: readonly string[]): Promise<ClaimedRow[]> {
    // Planned per call, not prepared: a generic plan kept from when the table was small scans it.
    return queryRows<ClaimedRow>(
      this.dataSource,
      `UPDATE enrichment SET status = $1, job_id = $2, processing_started_at = now(), updated_at = now()
        WHERE id = ANY($3::uuid[])
          AND CASE status
                WHEN $4 THEN true
                WHEN $1 THEN job_id = $2
                  OR processing_started_at < now() - make_interval(secs => $5::double precision / 1000)
                ELSE false
              END
        RETURNING id, org_id, entity_id, field`,
      [EnrichmentStatus.PROCESSING, jobId, enrichmentIds, EnrichmentStatus.PENDING, this.config.PROCESSING_LEASE_MS],
    );
  }

  /**
   * Runs `work` (the providers' part of a job) while renewing the job's claim every third of
   * PROCESSING_LEASE_MS. A job of a large request behind a provider's rate limit can outlast the
   * lease, and a claim past its lease is taken for a dead worker's: the recovery sweep re-queues
   * its rows and another job claims them, asking the providers about the same leads twice. Only
   * rows still processing under this job are renewed. The renewal stops (an answer in flight
   * awaited) before the rows are finished, so it never competes with finish for their locks.
   * A renewal that fails is logged; the next one tries again.
   */
  private async whileLeased<T>(jobId: string, ids: readonly string[], work: () => Promise<T>): Promise<T> {
    // One renewal at a time: one still running when the next is due (a slow database) is enough.
    let renewing = null as Promise<void> | null;
    const renew = () => {
      renewing ??= this.dataSource
        .query(
          `UPDATE enrichment SET processing_started_at = now()
            WHERE id = ANY($1::uuid[]) AND CASE WHEN status = $2 THEN job_id = $3 ELSE false END`,
          [ids, EnrichmentStatus.PROCESSING, jobId],
        )
        .then(
          () => undefined,
          (error: unknown) =>
            this.logger.warn(
              `Job ${jobId}: renewing its claim failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        )
        .finally(() => (renewing = null));
    };
    const timer = setInterval(renew, Math.floor(this.config.PROCESSING_LEASE_MS / 3));
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await renewing;
    }
  }

  /** Lead id → what was found: the global cache first, then the provider waterfall for the rest. */
  private async lookUp(field: ContactField, leadIds: string[]): Promise<Map<string, LookUpResult>> {
    if (leadIds.length === 0) return new Map();
    const cached = await queryPrepared<{ id: string; entity_id: string; data: FoundContactData; provider: string }>(
      this.dataSource,
      // Fresh is written as found_at + window > now(): the found_at index (the retention
      // sweep's) cannot serve it, so the leads' key is the way in whatever the statistics say.
      `SELECT id, entity_id, data, provider FROM global_enrichment
        WHERE entity_id = ANY($3::uuid[]) AND entity_type = $1 AND field = $2
          AND found_at + make_interval(days => $4) > now()`,
      [EntityType.PERSON, field, leadIds, this.config.GLOBAL_CACHE_FRESHNESS_DAYS],
    );
    const results = new Map<string, LookUpResult>(
      cached.map((row) => [
        row.entity_id,
        { leadId: row.entity_id, data: row.data, provider: row.provider, globalId: row.id },
      ]),
    );
    const profiles = await this.leads.findProfiles(leadIds.filter((leadId) => !results.has(leadId)));
    if (profiles.length > 0) {
      for (const result of await this.providers.runWaterfall(field, profiles)) results.set(result.leadId, result);
    }
    return results;
  }

  private async finish(
    jobId: string,
    field: ContactField,
    rows: ClaimedRow[],
    results: Map<string, LookUpResult>,
  ): Promise<number> {
    const found = [...results.values()].filter(
      (result): result is FoundResult => result.data !== null && result.provider !== null,
    );
    return runInTransaction(this.dataSource, async (manager) => {
      // The claim returned each row's org (which never changes): no statement to find them.
      const locked = await this.settlement.lockAccounts(
        manager,
        rows.map((row) => row.org_id),
      );
      // Suppressions are read under the privacy lock, right before the rows point at the cache:
      // one added (or an erasure done) while the providers answered still applies to this answer.
      await this.privacy.lockShared(manager);
      const stored = await this.stillCached(manager, found);
      const globalByLead = await this.visibleResults(manager, rows, found, stored);
      // Planned per call, not prepared: a generic plan kept from when the table was small scans it.
      const finished = await queryRows<FinishedRow>(
        manager,
        `UPDATE enrichment e
            SET status = $1, data_found = r.global_id IS NOT NULL, global_enrichment_id = r.global_id,
                error = NULL, settled_at = now(), updated_at = now()
           FROM unnest($2::uuid[], $3::uuid[]) AS r(id, global_id)
          -- A CASE, as in claim: the job's ids are the way in, not an index on status.
          WHERE e.id = r.id AND CASE WHEN e.status = $4 THEN e.job_id = $5 ELSE false END
          RETURNING e.id, e.org_id, e.credit_transaction_id, e.charge, e.field, e.data_found`,
        [
          EnrichmentStatus.FINISHED,
          rows.map((row) => row.id),
          rows.map((row) => globalByLead.get(row.id) ?? null),
          EnrichmentStatus.PROCESSING,
          jobId,
        ],
      );
      this.logger.debug(`Job ${jobId}: ${finished.length} finished, ${found.length} found`);
      const completed = await this.settlement.settle(locked, finished, (row) =>
        row.data_found ? SettlementOutcome.CAPTURE : SettlementOutcome.RELEASE,
      );
      return completed.length;
    });
  }

  /** The leads of these rows that no list applying to the row's org suppresses. */
  private async leadsNotSuppressed(rows: readonly ClaimedRow[]): Promise<Set<string>> {
    const allowed = new Set<string>();
    for (const orgId of new Set(rows.map((row) => row.org_id))) {
      const orgRows = rows.filter((row) => row.org_id === orgId);
      const suppressed = await this.privacy.suppressedLeads(
        this.dataSource,
        orgId,
        orgRows.map((row) => row.entity_id),
      );
      for (const row of orgRows) if (!suppressed.has(row.entity_id)) allowed.add(row.entity_id);
    }
    return allowed;
  }

  /**
   * Stores what providers found in the global cache, in a transaction of its own before the
   * job's rows are settled: the org's account lock, which every other job of the org waits for,
   * is then held only to move rows and credits (storing under it was 3–4 ms of each job's turn).
   * Stored without the values the platform list suppresses, each value with its provenance, the
   * findings come back as cache hits: finish checks that each is still there (an erasure or a
   * retention sweep may come in between) before pointing at it, as for any cache hit. A finding
   * the platform list suppresses entirely is not stored and comes back as nothing found.
   * Reading a cached value is not confirming it: cache hits are not written again.
   */
  private async storeFindings(
    field: ContactField,
    results: Map<string, LookUpResult>,
  ): Promise<Map<string, LookUpResult>> {
    const fresh = [...results.values()].filter(
      (result): result is FoundResult => result.data !== null && result.provider !== null && !result.globalId,
    );
    if (fresh.length === 0) return results;
    const stored = await runInTransaction(this.dataSource, async (manager) => {
      await this.privacy.lockShared(manager);
      return this.store(manager, field, fresh);
    });
    const after = new Map(results);
    for (const result of fresh) {
      const global = stored.get(result.leadId);
      after.set(
        result.leadId,
        global
          ? { ...result, data: global.data, globalId: global.id }
          : { leadId: result.leadId, data: null, provider: null },
      );
    }
    return after;
  }

  /** Lead id → global row id and stored data, for the findings not suppressed by the platform list. */
  private async store(
    manager: EntityManager,
    field: ContactField,
    fresh: readonly FoundResult[],
  ): Promise<Map<string, { id: string; data: StoredContactData }>> {
    const stored = new Map<string, { id: string; data: StoredContactData }>();
    const allowed = await this.privacy.redact(
      manager,
      null,
      fresh.map((result) => ({ leadId: result.leadId, data: result.data })),
    );
    const toStore = fresh.flatMap((result) => {
      const data = allowed.get(result.leadId);
      return data ? [{ ...result, data }] : [];
    });
    if (toStore.length === 0) return stored;
    const previous = await queryPrepared<{ entity_id: string; data: StoredContactData }>(
      manager,
      `SELECT entity_id, data FROM global_enrichment
        WHERE entity_type = $1 AND field = $2 AND entity_id = ANY($3::uuid[]) FOR UPDATE`,
      [EntityType.PERSON, field, toStore.map((result) => result.leadId)],
    );
    const previousByLead = new Map(previous.map((row) => [row.entity_id, row.data]));
    const now = new Date().toISOString();
    const rows = toStore.map((result) => ({
      leadId: result.leadId,
      provider: result.provider,
      data: withProvenance(result.data, result.provider, now, previousByLead.get(result.leadId)),
    }));
    // The latest finding wins and refreshes the freshness (and retention) clock; the row id stays stable.
    const globals = await queryPrepared<{ id: string; entity_id: string }>(
      manager,
      `INSERT INTO global_enrichment (entity_type, entity_id, field, data, provider, found_at)
       SELECT $1, r.entity_id, $2, r.data, r.provider, now()
         FROM unnest($3::uuid[], $4::jsonb[], $5::varchar[]) AS r(entity_id, data, provider)
       ON CONFLICT ON CONSTRAINT "UQ_global_enrichment_entity_field" DO UPDATE
          SET data = EXCLUDED.data, provider = EXCLUDED.provider, found_at = EXCLUDED.found_at
       RETURNING id, entity_id`,
      [
        EntityType.PERSON,
        field,
        rows.map((row) => row.leadId),
        rows.map((row) => JSON.stringify(row.data)),
        rows.map((row) => row.provider),
      ],
    );
    const dataByLead = new Map(rows.map((row) => [row.leadId, row.data]));
    for (const global of globals) {
      const data = dataByLead.get(global.entity_id);
      if (data) stored.set(global.entity_id, { id: global.id, data });
    }
    return stored;
  }

  /**
   * Lead id → global row id and data, for the found results (all cache hits by now) whose cache
   * row still exists: one removed by an erasure or the retention sweep since it was read is not
   * pointed at (its lead ends as not found).
   */
  private async stillCached(
    manager: EntityManager,
    found: readonly FoundResult[],
  ): Promise<Map<string, { id: string; data: StoredContactData }>> {
    const stored = new Map<string, { id: string; data: StoredContactData }>();
    const cached = found.filter((result) => result.globalId !== undefined);
    if (cached.length === 0) return stored;
    // No row locks (FOR SHARE wrote every row, 1.6 ms a job inside the account lock): every
    // deletion of cache rows (an erasure, the retention sweep) holds the privacy lock exclusively,
    // and this transaction has held it shared since before this read. Planned per call, not
    // prepared: a generic plan kept from when the cache was small scans it.
    const [{ ids }] = await queryRows<{ ids: string[] }>(
      manager,
      'SELECT array(SELECT id FROM global_enrichment WHERE id = ANY($1::uuid[])) AS ids',
      [cached.map((result) => result.globalId)],
    );
    for (const result of cached) {
      if (result.globalId && ids.includes(result.globalId))
        stored.set(result.leadId, { id: result.globalId, data: result.data });
    }
    return stored;
  }

  /**
   * Enrichment id → the global row it gets, for the rows whose org may see something of it:
   * a lead (or every value of it) on the org's list ends as not found, and is not charged.
   */
  private async visibleResults(
    manager: EntityManager,
    rows: readonly ClaimedRow[],
    found: readonly FoundResult[],
    stored: Map<string, { id: string; data: StoredContactData }>,
  ): Promise<Map<string, string>> {
    const visible = new Map<string, string>();
    const foundLeads = new Set(found.map((result) => result.leadId));
    for (const orgId of new Set(rows.map((row) => row.org_id))) {
      const orgRows = rows.filter((row) => row.org_id === orgId && foundLeads.has(row.entity_id));
      const entries = orgRows.flatMap((row) => {
        const global = stored.get(row.entity_id);
        return global ? [{ leadId: row.entity_id, data: global.data }] : [];
      });
      const allowed = await this.privacy.redact(manager, orgId, entries);
      for (const row of orgRows) {
        const global = stored.get(row.entity_id);
        if (global && allowed.get(row.entity_id)) visible.set(row.id, global.id);
      }
    }
    return visible;
  }
}
