import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { AppConfig, ContactField } from '@app/core';
import {
  CreditLotsService,
  CreditSource,
  CreditTransactionType,
  CreditsService,
  NO_BALANCE_ALERTS,
  SettlementOutcome,
  SpendLimitsService,
} from '@app/credits';
import { LeadsService } from '@app/leads';
import { PrivacyService } from '@app/privacy';
import type { FoundContactData, LeadContext, ProvidersService, WaterfallResult } from '@app/providers';
import { SelectionService } from '@app/selection';
import { WebhooksService } from '@app/webhooks';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EnrichmentStatus, OperationKind, OperationStatus } from '../enrichment.types';
import { OperationProgressReadModel } from '../read-models/operation-progress.read-model';
import { EnrichmentOperationsService } from './enrichment-operations.service';
import { EnrichmentProcessingService } from './enrichment-processing.service';
import type { EnrichmentQueueService } from './enrichment-queue.service';
import { EnrichmentRequestService } from './enrichment-request.service';
import { EnrichmentSettlementService, LockedAccounts, SettledRow } from './enrichment-settlement.service';

/** Records every enrichment it settles: the ledger must hold settlements of these and no others. */
class RecordingSettlement extends EnrichmentSettlementService {
  readonly settled = new Map<string, SettlementOutcome>();

  override async settle<Row extends SettledRow>(
    locked: LockedAccounts,
    rows: readonly Row[],
    outcome: SettlementOutcome | ((row: Row) => SettlementOutcome),
  ): Promise<string[]> {
    for (const row of rows) this.settled.set(row.id, typeof outcome === 'function' ? outcome(row) : outcome);
    return super.settle(locked, rows, outcome);
  }
}

/** The queue, as far as a request uses it: the jobs it would have queued, kept for the spec to run. */
class RecordingQueue {
  readonly jobs = new Map<string, string[]>();

  enqueue(jobs: ReadonlyMap<string, readonly string[]>): Promise<void> {
    for (const [jobId, ids] of jobs) this.jobs.set(jobId, [...ids]);
    return Promise.resolve();
  }
}

/** The providers' waterfall: finds an email for the leads in `known`, nothing for the others. */
class FakeWaterfall {
  readonly known = new Set<string>();

  runWaterfall(_field: ContactField, leads: readonly LeadContext[]): Promise<WaterfallResult[]> {
    return Promise.resolve(
      leads.map((lead) =>
        this.known.has(lead.id)
          ? { leadId: lead.id, data: emailFor(lead.id), provider: 'fake' }
          : { leadId: lead.id, data: null, provider: null },
      ),
    );
  }
}

const emailFor = (leadId: string): FoundContactData => ({
  emails: [{ address: `${leadId.slice(0, 8)}@example.test`, verificationStatus: 'verified' }],
});

const PRICE = 5;

/**
 * Every way an enrichment is settled — a job's outcome, a cancel, a global-cache hit at
 * request time, the timeout sweep — driven through the real services on a real database,
 * then checked against the ledger: each capture or release there was made through the
 * settlement service, so a caller that settled on its own would leave an entry it did not see.
 */
describe('EnrichmentSettlementService (PostgreSQL)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let credits: CreditsService;
  let settlement: RecordingSettlement;
  let queue: RecordingQueue;
  let waterfall: FakeWaterfall;
  let requests: EnrichmentRequestService;
  let processing: EnrichmentProcessingService;
  let operations: EnrichmentOperationsService;
  let progress: OperationProgressReadModel;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('enrichment_settlement_spec'));
    const config = Object.assign(new AppConfig(), { PRICE_EMAILS: PRICE });
    // Balance alerts are not this spec's subject (test/credit-alerts.e2e-spec.ts covers them).
    credits = new CreditsService(
      dataSource,
      config,
      new SpendLimitsService(dataSource),
      new CreditLotsService(dataSource),
      NO_BALANCE_ALERTS,
    );
    // Deliveries are not this spec's subject: events are stored, never queued.
    type WebhookQueue = ConstructorParameters<typeof WebhooksService>[1];
    const webhookQueue: Pick<WebhookQueue, 'dispatch' | 'dispatchPending'> = {
      dispatch: () => Promise.resolve(),
      dispatchPending: () => Promise.resolve(0),
    };
    const webhooks = new WebhooksService(dataSource, webhookQueue as WebhookQueue);
    settlement = new RecordingSettlement(credits, webhooks);
    progress = new OperationProgressReadModel(dataSource, credits);
    operations = new EnrichmentOperationsService(dataSource, settlement, progress);
    queue = new RecordingQueue();
    waterfall = new FakeWaterfall();
    const leads = new LeadsService(dataSource);
    const privacy = new PrivacyService(dataSource);
    requests = new EnrichmentRequestService(
      dataSource,
      credits,
      queue as unknown as EnrichmentQueueService,
      operations,
      settlement,
      new SelectionService(leads),
      leads,
      privacy,
      config,
    );
    processing = new EnrichmentProcessingService(
      dataSource,
      leads,
      waterfall as unknown as ProvidersService,
      settlement,
      privacy,
      config,
    );
  });
  afterAll(() => drop?.());

  const newLeads = async (count: number): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await dataSource.query(
      `INSERT INTO person (id, first_name, last_name, job_title, seniority, department, country, city,
                           company_name, company_domain, company_industry, company_employee_size)
       SELECT id, 'Ada', 'Lovelace', 'Engineer', 'senior', 'Engineering', 'United Kingdom', 'London',
              'Acme', 'acme.test', 'Software', 50
         FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    return ids;
  };

  const newOrg = async (credit: number): Promise<string> => {
    const orgId = `org_${randomUUID().slice(0, 8)}`;
    await dataSource.transaction((manager) =>
      credits.grant(manager, { orgId, amount: credit, source: CreditSource.MANUAL, createdBy: 'spec' }),
    );
    return orgId;
  };

  const bulk = (orgId: string, leadIds: string[]) =>
    requests.createEnrichments({
      orgId,
      userId: 'user_spec',
      field: ContactField.EMAILS,
      leadIds,
      operationKind: OperationKind.BULK,
    });

  const cache = (leadId: string) =>
    dataSource.query(
      `INSERT INTO global_enrichment (entity_type, entity_id, field, data, provider, found_at)
       VALUES ('person', $1, 'emails', $2, 'fake', now())`,
      [leadId, JSON.stringify(emailFor(leadId))],
    );

  /** Runs the queued jobs that carry these enrichments, as the processor would. */
  const runJobs = async (enrichmentIds: readonly string[]) => {
    for (const [jobId, ids] of queue.jobs) {
      if (ids.some((id) => enrichmentIds.includes(id))) await processing.processBatch(jobId, ids);
    }
  };

  /** The org's settlements in the ledger: enrichment id → captured or released. */
  const ledger = async (orgId: string): Promise<Map<string, SettlementOutcome>> => {
    const rows: { enrichment_id: string; type: CreditTransactionType }[] = await dataSource.query(
      `SELECT enrichment_id, type FROM credit_transaction WHERE org_id = $1 AND type = ANY($2)`,
      [orgId, [CreditTransactionType.CONSUMED, CreditTransactionType.RELEASED]],
    );
    return new Map(
      rows.map((row) => [
        row.enrichment_id,
        row.type === CreditTransactionType.CONSUMED ? SettlementOutcome.CAPTURE : SettlementOutcome.RELEASE,
      ]),
    );
  };

  /** Every ledger settlement of the org went through the settlement service, with the same outcome. */
  const expectAllThroughSettlement = async (orgId: string) => {
    const entries = await ledger(orgId);
    expect(entries.size).toBeGreaterThan(0);
    for (const [enrichmentId, outcome] of entries) expect(settlement.settled.get(enrichmentId)).toBe(outcome);
  };

  it('a cache hit is captured at request time, the job captures what is found and releases the rest, and completes the operation', async () => {
    const orgId = await newOrg(100);
    const [cached, found, missing] = await newLeads(3);
    await cache(cached);
    waterfall.known.add(found);

    const { operationId, enrichments } = await bulk(orgId, [cached, found, missing]);
    const [cachedRow, foundRow, missingRow] = enrichments;
    expect(cachedRow.status).toBe(EnrichmentStatus.FINISHED);
    expect(settlement.settled.get(cachedRow.id)).toBe(SettlementOutcome.CAPTURE);
    expect(await credits.getBalance(orgId)).toEqual({ available: 100 - 3 * PRICE, held: 2 * PRICE });

    await runJobs([foundRow.id, missingRow.id]);

    expect(await ledger(orgId)).toEqual(
      new Map([
        [cachedRow.id, SettlementOutcome.CAPTURE],
        [foundRow.id, SettlementOutcome.CAPTURE],
        [missingRow.id, SettlementOutcome.RELEASE],
      ]),
    );
    await expectAllThroughSettlement(orgId);
    expect(await credits.getBalance(orgId)).toEqual({ available: 100 - 2 * PRICE, held: 0 });
    const done = await progress.progress(operationId ?? '', orgId);
    expect(done).toMatchObject({ status: OperationStatus.COMPLETED, found: 2, finished: 3 });
    expect(done.credits).toEqual({ held: 0, captured: 2 * PRICE, released: PRICE });
  });

  it('a cancel releases the pending shares and completes an operation that was waiting on them', async () => {
    const orgId = await newOrg(100);
    const [first, second] = await newLeads(2);
    const { operationId: cancelledId, enrichments } = await bulk(orgId, [first, second]);
    // A second request reuses the pending enrichments: it waits on the first one's work.
    const { operationId: waitingId } = await bulk(orgId, [first, second]);

    const cancelled = await operations.cancel(cancelledId ?? '', orgId);

    expect(cancelled).toMatchObject({ status: OperationStatus.CANCELLED, cancelled: 2 });
    expect(cancelled.credits).toEqual({ held: 0, captured: 0, released: 2 * PRICE });
    expect(await ledger(orgId)).toEqual(new Map(enrichments.map((row) => [row.id, SettlementOutcome.RELEASE])));
    await expectAllThroughSettlement(orgId);
    expect(await credits.getBalance(orgId)).toEqual({ available: 100, held: 0 });
    expect((await progress.progress(waitingId ?? '', orgId)).status).toBe(OperationStatus.COMPLETED);
  });

  it('the timeout sweep releases overdue work through the same path', async () => {
    const orgId = await newOrg(100);
    const [lead] = await newLeads(1);
    const { operationId, enrichments } = await bulk(orgId, [lead]);
    // Backdated past ENRICHMENT_MAX_AGE_MS (30 minutes by default) rather than waited for.
    await dataSource.query(`UPDATE enrichment SET requested_at = now() - interval '1 hour' WHERE id = $1`, [
      enrichments[0].id,
    ]);

    expect(await processing.expireOverdue()).toBeGreaterThanOrEqual(1);

    expect(await ledger(orgId)).toEqual(new Map([[enrichments[0].id, SettlementOutcome.RELEASE]]));
    await expectAllThroughSettlement(orgId);
    expect((await progress.progress(operationId ?? '', orgId)).status).toBe(OperationStatus.COMPLETED);
  });

  it('refuses to settle an enrichment whose org account the transaction did not lock', async () => {
    const [orgId, otherOrg] = [await newOrg(10), await newOrg(10)];
    const [lead] = await newLeads(1);
    const { enrichments } = await bulk(otherOrg, [lead]);
    const [row]: SettledRow[] = await dataSource.query(
      'SELECT id, org_id, credit_transaction_id, charge, field FROM enrichment WHERE id = $1',
      [enrichments[0].id],
    );

    await expect(
      dataSource.transaction(async (manager) =>
        settlement.settle(await settlement.lockAccount(manager, orgId), [row], SettlementOutcome.RELEASE),
      ),
    ).rejects.toThrow(/without its org's account lock/);
    expect(await ledger(otherOrg)).toEqual(new Map());
  });
});
