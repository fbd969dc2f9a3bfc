import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  AppConfig,
  AppException,
  ContactField,
  ErrorCode,
  queryPrepared,
  recordIdempotentResponse,
  runInTransaction,
} from '@app/core';
import { CreditsService, REQUEST_SCOPE, SettlementOutcome, SpendPeriod, SpendScope } from '@app/credits';
import { leadExistsSql } from '@app/leads';
import { lockSharedAnySuppressionSql, PrivacyService } from '@app/privacy';
import type { FoundContactData } from '@app/providers';
import { BulkSelectionDto, ManualSelectionDto, SelectionService } from '@app/selection';
import { ENRICHMENT_VIEW_COLUMNS, EnrichmentRow, operationHeaders, toEnrichmentView } from '../enrichment.mapper';
import {
  EnrichmentStatus,
  EntityType,
  EnrichmentView,
  FINAL_STATUSES,
  OperationKind,
  OperationStatus,
  REUSABLE_STATUSES,
} from '../enrichment.types';
import type { WithinTransaction } from './enrichment-operations.service';
import { EnrichmentQueueService } from './enrichment-queue.service';
import { EnrichmentSettlementService } from './enrichment-settlement.service';

export interface CreateEnrichmentsCommand {
  orgId: string;
  userId: string;
  /** Set when an API key made the request: its spend limits apply too. */
  apiKeyId?: string;
  /** The request's own cap on the credits it may hold (bulk and batch). */
  maxCredits?: number;
  field: ContactField;
  /** Lead ids in selection order, already deduplicated and known to exist. */
  leadIds: readonly string[];
  /** Record the request as an operation resource (bulk and batch requests do; single-lead ones do not). */
  operationKind: OperationKind | null;
  /**
   * An admin retry: the lead's enrichment must still be failed, timed out or cancelled when
   * checked under the account lock, else 409 and nothing is written — so of concurrent
   * retries exactly one holds credits and is audited.
   */
  retryOnly?: boolean;
}

export interface EnrichSelectionCommand extends Omit<CreateEnrichmentsCommand, 'leadIds'> {
  selection: ManualSelectionDto | BulkSelectionDto;
  /** The request field manual ids came from, named by the unknown-ids error (default `selection.includedIds`). */
  idsField?: string;
}

export interface EnrichmentRequestResult {
  operationId: string | null;
  enrichments: EnrichmentView[];
}

/** What a request would do, without doing it (`?dryRun=true`). */
export interface DryRunResult {
  selected: number;
  reused: number;
  billable: number;
  requiredCredits: number;
  availableCredits: number;
  sufficient: boolean;
  /** The spend limits (and the request's `maxCredits`) this request would be held to. */
  limits: DryRunLimit[];
  /** Whether `requiredCredits` fits under every one of them. */
  withinLimits: boolean;
}

/** A limit as a dry run sees it; the request's own cap shows as scope `request`. */
export interface DryRunLimit {
  limitId: string | null;
  scope: SpendScope | typeof REQUEST_SCOPE;
  subjectId: string | null;
  period: SpendPeriod | null;
  limit: number;
  spent: number;
  remaining: number;
  resetsAt: string | null;
}

/** One try at a request's transaction (a second one reads under the lock; see createInTransaction). */
interface Attempt {
  lockFirst: boolean;
  readBefore?: EnrichmentRow[];
}

interface CreatedRows {
  rows: EnrichmentRow[];
  holdId: string | null;
  /** Job id → the pending enrichments it carries. */
  jobs: Map<string, string[]>;
  /**
   * Operations completed here (their events wait for dispatch): this request's own, when nothing
   * is left open, and earlier ones that its cache hits settled the last items of.
   */
  completedOperations: number;
}

/**
 * What a request reads of its leads before its transaction, in one statement: the ids that name
 * no lead (when they are the caller's), and the org's enrichments of them that it may reuse.
 */
interface LeadsRead {
  unknownIds: string[];
  reusable: EnrichmentRow[];
}

/**
 * The attempt wrote on an assumption the account lock proved wrong, and is rolled back to be made
 * again, reading under the lock and writing nothing ahead of an answer: a lead read as new before
 * the lock had an enrichment by the time of the insert, or the insert written behind the hold
 * finished a cache hit that the org's suppression lists screen (they are read once the hold has
 * taken the privacy lock, and only when a list has an entry).
 */
class AttemptOutdated extends Error {}

type CreatedRow = EnrichmentRow & { charge: number; job_id: string | null };

/**
 * The heart of a bulk/batch request: one transaction, serialised per org by the credit
 * account lock, that reuses what exists, holds credits for the rest (or answers 402 and
 * writes nothing), inserts the new enrichments, finishes the ones the global cache already
 * knows and records the operation. The queue is fed only after commit.
 */
@Injectable()
export class EnrichmentRequestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credits: CreditsService,
    private readonly queue: EnrichmentQueueService,
    private readonly settlement: EnrichmentSettlementService,
    private readonly selections: SelectionService,
    private readonly privacy: PrivacyService,
    private readonly config: AppConfig,
  ) {}

  /** POST /enrichment/:personId: one lead (404 when it does not exist), no operation resource. */
  async enrichOne(
    command: Omit<CreateEnrichmentsCommand, 'leadIds' | 'operationKind'> & { leadId: string },
  ): Promise<EnrichmentView> {
    const leadIds = [command.leadId];
    const read = await this.readLeads(this.dataSource, command.orgId, command.field, leadIds, true);
    if (read.unknownIds.length > 0) throw new AppException(ErrorCode.NOT_FOUND, `No lead ${command.leadId}`);
    const { enrichments } = await this.create({ ...command, leadIds, operationKind: null }, undefined, read.reusable);
    return enrichments[0];
  }

  /** POST /enrichment/bulk and /batch: resolve the selection to leads, then enrich them. */
  async enrichSelection(command: EnrichSelectionCommand): Promise<EnrichmentRequestResult> {
    const { leadIds, read } = await this.resolveAndRead(command);
    return this.create({ ...command, leadIds }, undefined, read.reusable);
  }

  /** The same selection and pricing as enrichSelection, read-only: nothing is written or held. */
  async previewSelection(command: EnrichSelectionCommand): Promise<DryRunResult> {
    const { leadIds, read } = await this.resolveAndRead(command);
    const reused = read.reusable.length;
    const billable = leadIds.length - reused;
    const requiredCredits = billable * this.credits.priceOf(command.field);
    const [{ available }, spendLimits] = await Promise.all([
      this.credits.getBalance(command.orgId),
      this.credits.applicableLimits({ orgId: command.orgId, userId: command.userId, apiKeyId: command.apiKeyId }),
    ]);
    const limits: DryRunLimit[] = [
      ...(command.maxCredits === undefined
        ? []
        : [
            {
              limitId: null,
              scope: REQUEST_SCOPE,
              subjectId: null,
              period: null,
              limit: command.maxCredits,
              spent: 0,
              remaining: command.maxCredits,
              resetsAt: null,
            },
          ]),
      ...spendLimits,
    ];
    return {
      selected: leadIds.length,
      reused,
      billable,
      requiredCredits,
      availableCredits: available,
      sufficient: available >= requiredCredits,
      limits,
      withinLimits: limits.every((limit) => requiredCredits <= limit.remaining),
    };
  }

  /** `within` runs inside the request's transaction (the admin console writes its audit entry there). */
  async createEnrichments(
    command: CreateEnrichmentsCommand,
    within?: WithinTransaction,
  ): Promise<EnrichmentRequestResult> {
    return this.create(command, within, undefined);
  }

  /**
   * The selection's leads and, in the same statement, which of them are unknown (manual ids
   * only; any fails the request with nothing written) and what the org may reuse.
   */
  private async resolveAndRead(command: EnrichSelectionCommand): Promise<{ leadIds: string[]; read: LeadsRead }> {
    const { leadIds, mustCheckExistence } = await this.selections.resolve(command.selection);
    const read = await this.readLeads(this.dataSource, command.orgId, command.field, leadIds, mustCheckExistence);
    if (read.unknownIds.length > 0) throw this.selections.unknownLeadIds(read.unknownIds, command.idsField);
    return { leadIds, read };
  }

  /** `readBefore`: what the request read it may reuse, without a lock, before its transaction. */
  private async create(
    command: CreateEnrichmentsCommand,
    within: WithinTransaction | undefined,
    readBefore: EnrichmentRow[] | undefined,
  ): Promise<EnrichmentRequestResult> {
    if (command.leadIds.length === 0) return { operationId: null, enrichments: [] };
    const operationId = command.operationKind ? randomUUID() : null;
    try {
      return await this.createOnce(command, within, operationId, { lockFirst: false, readBefore });
    } catch (error) {
      // Rolled back, nothing written: once more, reading under the lock (see createInTransaction).
      if (!(error instanceof AttemptOutdated)) throw error;
      return this.createOnce(command, within, operationId, { lockFirst: true });
    }
  }

  private async createOnce(
    command: CreateEnrichmentsCommand,
    within: WithinTransaction | undefined,
    operationId: string | null,
    attempt: Attempt,
  ): Promise<EnrichmentRequestResult> {
    const { views, jobs, completedOperations } = await runInTransaction(this.dataSource, async (manager) => {
      const created = await this.createInTransaction(manager, command, operationId, attempt);
      if (within) await within(manager, command.orgId);
      // The answer is remembered under the request's Idempotency-Key in this same transaction,
      // and is the one returned: mapped once (1,000 objects for a bulk request of 1,000 leads).
      const views = this.inSelectionOrder(command.leadIds, created.rows);
      await recordIdempotentResponse(
        manager,
        command.operationKind && operationId
          ? { body: views, headers: operationHeaders(operationId) }
          : { body: views[0] },
      );
      return { views, jobs: created.jobs, completedOperations: created.completedOperations };
    });
    if (jobs.size > 0) await this.queue.enqueue(jobs);
    if (completedOperations > 0) await this.settlement.dispatchCompletionEvents();
    return { operationId, enrichments: views };
  }

  private inSelectionOrder(leadIds: readonly string[], rows: readonly EnrichmentRow[]): EnrichmentView[] {
    const byLead = new Map(rows.map((row) => [row.entity_id, row]));
    return leadIds.flatMap((leadId) => {
      const row = byLead.get(leadId);
      return row ? [toEnrichmentView(row)] : [];
    });
  }

  private async createInTransaction(
    manager: EntityManager,
    command: CreateEnrichmentsCommand,
    operationId: string | null,
    { lockFirst, readBefore }: Attempt,
  ): Promise<CreatedRows> {
    const { orgId, userId, apiKeyId, maxCredits, field, leadIds } = command;
    // The org's account lock serialises its requests. Most requests reuse nothing; they read
    // before the lock, which the hold then takes (credit_hold locks the account first), and the
    // insert proves the read still holds: it writes every billable lead, or a concurrent request
    // got to one first and this attempt is rolled back and made again, reading under the lock.
    // So the lock is not held across the read. What is reused is always decided under the lock:
    // its statuses are the answer and the operation's open items, and a reused row that a job
    // ended after an unlocked read would leave its operation open for ever.
    const lockBeforeRead = lockFirst || command.retryOnly === true;
    if (lockBeforeRead) await this.settlement.lockAccount(manager, orgId);
    let reused = !lockBeforeRead && readBefore ? readBefore : await this.reusableFor(manager, orgId, field, leadIds);
    const readUnderLock = lockBeforeRead || reused.length > 0;
    if (!lockBeforeRead && readUnderLock) {
      await this.settlement.lockAccount(manager, orgId);
      reused = await this.reusableFor(manager, orgId, field, leadIds);
    }
    if (command.retryOnly && reused.length > 0) {
      throw new AppException(ErrorCode.CONFLICT, `An enrichment in status ${reused[0].status} cannot be retried`, {
        status: reused[0].status,
      });
    }
    const reusedLeads = new Set(reused.map((row) => row.entity_id));
    const billable = leadIds.filter((leadId) => !reusedLeads.has(leadId));
    const reusedOpen = reused.filter((row) => !FINAL_STATUSES.includes(row.status)).length;
    const price = this.credits.priceOf(field);

    // The insert names the hold by the id given to it, so it is written right behind the hold, in
    // the hold's round trip, not after its answer: one event-loop turn less while the org's account
    // is locked, one round trip less. PostgreSQL runs it after the hold, under the locks the hold
    // took; refused, the hold throws and the transaction rolls back with the insert. It assumes that
    // nothing is screened (below); an attempt made again writes nothing ahead.
    const holdId = billable.length > 0 ? randomUUID() : null;
    const insert = (screened: readonly string[]) =>
      this.insertCreated(manager, command, { operationId, holdId, price, billable, reused, reusedOpen, screened });
    let held: Awaited<ReturnType<EnrichmentSettlementService['hold']>> | null = null;
    let created: CreatedRow[];
    if (billable.length > 0) {
      const ahead: { insert?: Promise<CreatedRow[]> } = {};
      // The privacy lock (shared) and whether the org has anything suppressed, in the hold's round trip.
      held = await this.settlement.hold(
        manager,
        {
          orgId,
          amount: billable.length * price,
          operationType: this.credits.operationTypeOf(field),
          referenceId: operationId,
          createdBy: userId,
          apiKeyId,
          maxCredits,
          metadata: { field, leads: billable.length, pricePerLead: price },
          holdId: holdId ?? undefined,
        },
        lockSharedAnySuppressionSql('$1'),
        lockFirst
          ? undefined
          : () => {
              ahead.insert = insert([]);
              // Refused, the hold throws first and the transaction rolls back: this answer is not read.
              ahead.insert.catch(() => undefined);
            },
      );
      const screened = held.followed === true ? await this.cacheHitsToScreen(manager, orgId, field, billable) : [];
      if (ahead.insert) {
        created = await ahead.insert;
        if (screened.length > 0) throw new AttemptOutdated();
      } else {
        created = await insert(screened);
      }
    } else if (!operationId) {
      return { rows: reused, holdId: null, jobs: new Map(), completedOperations: 0 };
    } else {
      created = await insert([]);
    }

    if (created.length !== billable.length) {
      if (readUnderLock)
        throw new Error(`Inserted ${created.length} of ${billable.length} billable leads under the lock`);
      throw new AttemptOutdated();
    }

    // Leads the global cache already knew are found results: their share is captured now.
    const completed = held
      ? await this.settlement.settle(
          held.locked,
          created
            .filter((row) => row.global_enrichment_id !== null)
            .map((row) => ({
              id: row.id,
              org_id: orgId,
              credit_transaction_id: held.holdId,
              charge: row.charge,
              field,
            })),
          SettlementOutcome.CAPTURE,
        )
      : [];
    // Nothing held: every lead was reused, and the operation is complete at once if they are all final.
    if (operationId && !held && reusedOpen === 0)
      completed.push(...(await this.settlement.completeOperations(manager, [operationId])));
    const jobs = new Map<string, string[]>();
    for (const row of created) {
      if (row.status !== EnrichmentStatus.PENDING || !row.job_id) continue;
      const batch = jobs.get(row.job_id);
      if (batch) batch.push(row.id);
      else jobs.set(row.job_id, [row.id]);
    }
    return { rows: [...reused, ...created], holdId, jobs, completedOperations: completed.length };
  }

  /**
   * One statement: leads the global cache knows (fresh, and not `screened`) are finished at once;
   * the rest are pending, already assigned to their deterministic batch job (`hold-<hold>-<n>`),
   * so no second write is needed once the jobs are queued. A retried row is reset the same way.
   * The operation (bulk and batch requests) is recorded with its items in selection order in the
   * same statement: one round trip less inside the org's account lock. Its open items count every
   * row this request creates, the cache hits too: settling them, right after, counts them off as
   * it does for any operation that holds them.
   */
  private insertCreated(
    manager: EntityManager,
    command: CreateEnrichmentsCommand,
    plan: {
      operationId: string | null;
      holdId: string | null;
      price: number;
      billable: readonly string[];
      reused: readonly EnrichmentRow[];
      reusedOpen: number;
      screened: readonly string[];
    },
  ): Promise<CreatedRow[]> {
    const { orgId, userId, field, leadIds } = command;
    const { operationId, holdId, price, billable, reused, reusedOpen, screened } = plan;
    return queryPrepared<CreatedRow>(
      manager,
      `WITH created AS (
       INSERT INTO enrichment AS e
              (org_id, entity_type, entity_id, field, status, created_by, credit_transaction_id, charge,
               global_enrichment_id, data_found, settled_at, job_id, queued_at)
       SELECT $1, $2, l.entity_id, $3,
              CASE WHEN g.id IS NULL THEN '${EnrichmentStatus.PENDING}' ELSE '${EnrichmentStatus.FINISHED}' END,
              $4, $5::uuid, $6, g.id,
              CASE WHEN g.id IS NULL THEN NULL ELSE true END,
              CASE WHEN g.id IS NULL THEN NULL ELSE now() END,
              CASE WHEN g.id IS NULL THEN 'hold-' || $5::uuid::text || '-' || ((l.ord - 1) / $8::int) END,
              CASE WHEN g.id IS NULL THEN now() END
         FROM unnest($7::uuid[]) WITH ORDINALITY AS l(entity_id, ord)
         -- One probe of the cache's key per lead, whatever the statistics: as a plain join, the
         -- planner hashed every cached finding of the field whenever it took the cache for small
         -- (32 ms for 1,000 leads at 14,000 cached, against 14). The OFFSET keeps the subquery
         -- from being flattened. Fresh as found_at + window > now(), so that the leads' key, not
         -- the found_at index, serves it.
         LEFT JOIN LATERAL (
           SELECT g.id FROM global_enrichment g
            WHERE g.entity_id = l.entity_id AND g.entity_type = $2 AND g.field = $3
              AND g.found_at + make_interval(days => $9) > now()
              AND NOT (l.entity_id = ANY($10::uuid[]))
           OFFSET 0) g ON true
       ON CONFLICT ON CONSTRAINT "UQ_enrichment_org_entity_field" DO UPDATE
          SET status = EXCLUDED.status, error = NULL, created_by = EXCLUDED.created_by,
              credit_transaction_id = EXCLUDED.credit_transaction_id, charge = EXCLUDED.charge,
              global_enrichment_id = EXCLUDED.global_enrichment_id, data_found = EXCLUDED.data_found,
              settled_at = EXCLUDED.settled_at, job_id = EXCLUDED.job_id, queued_at = EXCLUDED.queued_at,
              processing_started_at = NULL, requested_at = now(), updated_at = now()
        WHERE e.status NOT IN (${REUSABLE_STATUSES.map((s) => `'${s}'`).join(', ')})
       RETURNING ${ENRICHMENT_VIEW_COLUMNS}, charge, job_id),
       operation AS (
         INSERT INTO enrichment_operation (id, org_id, created_by, kind, field, status, total, reused, created, hold_id, open_items)
         SELECT $11::uuid, $1, $4, $12::varchar, $3, '${OperationStatus.RUNNING}', $13::int, $14::int, $13::int - $14::int,
                $5::uuid, $15::int + (SELECT count(*) FROM created)
          WHERE $11::uuid IS NOT NULL
         RETURNING id),
       items AS (
         INSERT INTO enrichment_operation_item (operation_id, enrichment_id, position, reused)
         SELECT o.id, coalesce(r.id, c.id), l.ord - 1, r.id IS NOT NULL
           FROM operation o
          CROSS JOIN unnest($16::uuid[]) WITH ORDINALITY AS l(entity_id, ord)
           LEFT JOIN unnest($17::uuid[], $18::uuid[]) AS r(entity_id, id) ON r.entity_id = l.entity_id
           LEFT JOIN created c ON c.entity_id = l.entity_id
          -- A lead with neither: another request got there first, and this attempt is rolled back.
          WHERE coalesce(r.id, c.id) IS NOT NULL)
       SELECT * FROM created`,
      [
        orgId,
        EntityType.PERSON,
        field,
        userId,
        holdId,
        price,
        billable,
        this.jobSize(billable.length),
        this.config.GLOBAL_CACHE_FRESHNESS_DAYS,
        screened,
        operationId,
        command.operationKind,
        leadIds.length,
        reused.length,
        reusedOpen,
        leadIds,
        reused.map((row) => row.entity_id),
        reused.map((row) => row.id),
      ],
    );
  }

  /**
   * Leads per job for a request that creates `count` enrichments: ENRICHMENT_BATCH_SIZE, or more
   * when that would spread the request over more than ENRICHMENT_JOBS_PER_REQUEST jobs.
   */
  private jobSize(count: number): number {
    return Math.max(this.config.ENRICHMENT_BATCH_SIZE, Math.ceil(count / this.config.ENRICHMENT_JOBS_PER_REQUEST));
  }

  /**
   * The org's enrichments of these leads for this field that a request reuses (REUSABLE_STATUSES)
   * and, with `checkExistence`, the ids that name no lead — one statement, one probe of the
   * enrichments' unique key per lead, whatever the statistics say. Written as `entity_id = ANY(...)`,
   * a plan that expects the org to be small (a new org, stale statistics, any generic plan) takes
   * only org, type and field as the key's condition and filters every row of the org: 2.3 ms for 2
   * leads of an org with 1,000 rows, growing with the org. The LIMIT keeps the subquery from being
   * flattened into a join the planner could hash, so the plan is the same per-lead probe prepared
   * or not, and can be prepared. Only leads with an enrichment or (checked) without a person come
   * back: a bulk request of 1,000 new leads reads no rows. The ids are uuids, lower-cased: the
   * DTOs and UuidParamPipe refuse anything else with a 400 before a request gets here.
   */
  private async readLeads(
    db: DataSource | EntityManager,
    orgId: string,
    field: ContactField,
    leadIds: readonly string[],
    checkExistence: boolean,
  ): Promise<LeadsRead> {
    const rows = await queryPrepared<{ lead_id: string; unknown: boolean } & (EnrichmentRow | { id: null })>(
      db,
      `SELECT l.entity_id AS lead_id, l.unknown, e.*
         FROM (SELECT u.entity_id, $5 AND NOT ${leadExistsSql('u.entity_id')} AS unknown
                 FROM unnest($4::uuid[]) AS u(entity_id)) l
         LEFT JOIN LATERAL (
           SELECT ${ENRICHMENT_VIEW_COLUMNS} FROM enrichment
            WHERE org_id = $1 AND entity_type = $2 AND entity_id = l.entity_id AND field = $3 LIMIT 1) e ON true
        WHERE l.unknown OR e.id IS NOT NULL`,
      [orgId, EntityType.PERSON, field, leadIds, checkExistence],
    );
    const reusable: EnrichmentRow[] = [];
    const unknown = new Set<string>();
    for (const row of rows) {
      if (row.unknown) unknown.add(row.lead_id);
      else if (row.id !== null && REUSABLE_STATUSES.includes(row.status)) reusable.push(row);
    }
    return { unknownIds: leadIds.filter((id) => unknown.has(id)), reusable };
  }

  /** What a request reuses, read again (under the account lock, or in its transaction). */
  private async reusableFor(
    manager: EntityManager,
    orgId: string,
    field: ContactField,
    leadIds: readonly string[],
  ): Promise<EnrichmentRow[]> {
    return (await this.readLeads(manager, orgId, field, leadIds, false)).reusable;
  }

  /**
   * Leads whose cached data is all suppressed for this org (or who are): they must not be
   * finished (and charged) from the cache; queued instead, the processor ends them as not
   * found and releases their share, exactly like any other lead with nothing to sell. Read
   * under the privacy lock (shared), taken with the hold, and only when a list has an entry.
   */
  private async cacheHitsToScreen(
    manager: EntityManager,
    orgId: string,
    field: ContactField,
    leadIds: readonly string[],
  ): Promise<string[]> {
    const cached = await queryPrepared<{ entity_id: string; data: FoundContactData }>(
      manager,
      `SELECT entity_id, data FROM global_enrichment
        WHERE entity_id = ANY($3::uuid[]) AND entity_type = $1 AND field = $2
          AND found_at + make_interval(days => $4) > now()`,
      [EntityType.PERSON, field, leadIds, this.config.GLOBAL_CACHE_FRESHNESS_DAYS],
    );
    const allowed = await this.privacy.redact(
      manager,
      orgId,
      cached.map((row) => ({ leadId: row.entity_id, data: row.data })),
    );
    return [...allowed].filter(([, data]) => data === null).map(([leadId]) => leadId);
  }
}
