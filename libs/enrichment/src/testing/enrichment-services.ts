import { AppConfig, ContactField } from '@app/core';
import { CreditSource, CreditsService, SettlementOutcome } from '@app/credits';
import { LeadsService } from '@app/leads';
import { PrivacyService } from '@app/privacy';
import type { FoundContactData, LeadContext, ProvidersService, WaterfallResult } from '@app/providers';
import { SelectionService } from '@app/selection';
import { WebhooksService } from '@app/webhooks';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OperationKind } from '../enrichment.types';
import { OperationProgressReadModel } from '../read-models/operation-progress.read-model';
import { EnrichmentOperationsService } from '../services/enrichment-operations.service';
import { EnrichmentProcessingService } from '../services/enrichment-processing.service';
import type { EnrichmentQueueService } from '../services/enrichment-queue.service';
import {
  CreateEnrichmentsCommand,
  EnrichmentRequestResult,
  EnrichmentRequestService,
} from '../services/enrichment-request.service';
import { EnrichmentSettlementService, LockedAccounts, SettledRow } from '../services/enrichment-settlement.service';

/** Records every enrichment it settles: the ledger must hold settlements of these and no others. */
export class RecordingSettlement extends EnrichmentSettlementService {
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
export class RecordingQueue {
  readonly jobs = new Map<string, string[]>();

  enqueue(jobs: ReadonlyMap<string, readonly string[]>): Promise<void> {
    for (const [jobId, ids] of jobs) this.jobs.set(jobId, [...ids]);
    return Promise.resolve();
  }
}

export const emailFor = (leadId: string): FoundContactData => ({
  emails: [{ address: `${leadId.slice(0, 8)}@example.test`, verificationStatus: 'verified' }],
});

/** The providers' waterfall: finds an email for the leads in `known`, nothing for the others. */
export class FakeWaterfall {
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

/**
 * The enrichment services wired by hand on a real database, with the two edges that leave
 * it faked: the Bull queue (jobs are recorded, and run by the spec) and the providers.
 * Webhook events are stored, never queued.
 */
export function enrichmentServices(dataSource: DataSource, settings: Partial<AppConfig> = {}) {
  const config = Object.assign(new AppConfig(), settings);
  // Balance alerts are not these specs' subject (test/credit-alerts.e2e-spec.ts covers them).
  const credits = CreditsService.standalone(dataSource, config);
  type WebhookQueue = ConstructorParameters<typeof WebhooksService>[1];
  const webhookQueue: Pick<WebhookQueue, 'dispatch' | 'dispatchPending'> = {
    dispatch: () => Promise.resolve(),
    dispatchPending: () => Promise.resolve(0),
  };
  const webhooks = new WebhooksService(dataSource, webhookQueue as WebhookQueue);
  const settlement = new RecordingSettlement(credits, webhooks);
  const progress = new OperationProgressReadModel(dataSource, credits);
  const operations = new EnrichmentOperationsService(dataSource, settlement, progress);
  const queue = new RecordingQueue();
  const waterfall = new FakeWaterfall();
  const leads = new LeadsService(dataSource);
  const privacy = new PrivacyService(dataSource);
  const requests = new EnrichmentRequestService(
    dataSource,
    credits,
    queue as unknown as EnrichmentQueueService,
    settlement,
    new SelectionService(leads),
    privacy,
    config,
  );
  const processing = new EnrichmentProcessingService(
    dataSource,
    leads,
    waterfall as unknown as ProvidersService,
    settlement,
    privacy,
    config,
  );

  /** New people to enrich (the lead table is otherwise empty). */
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

  /** A new org with `credit` credits granted. */
  const newOrg = async (credit: number): Promise<string> => {
    const orgId = `org_${randomUUID().slice(0, 8)}`;
    if (credit > 0) {
      await dataSource.transaction((manager) =>
        credits.grant(manager, { orgId, amount: credit, source: CreditSource.MANUAL, createdBy: 'spec' }),
      );
    }
    return orgId;
  };

  /** The global cache knows an email for this lead. */
  const cache = async (leadId: string): Promise<void> => {
    await dataSource.query(
      `INSERT INTO global_enrichment (entity_type, entity_id, field, data, provider, found_at)
       VALUES ('person', $1, 'emails', $2, 'fake', now())`,
      [leadId, JSON.stringify(emailFor(leadId))],
    );
  };

  /** A member's bulk request for the emails of these leads (`extra`: an admin retry, a cap). */
  const bulk = (
    orgId: string,
    leadIds: string[],
    extra: Pick<CreateEnrichmentsCommand, 'retryOnly' | 'maxCredits'> = {},
  ): Promise<EnrichmentRequestResult> =>
    requests.createEnrichments({
      orgId,
      userId: 'user_spec',
      field: ContactField.EMAILS,
      leadIds,
      operationKind: OperationKind.BULK,
      ...extra,
    });

  /** Runs the queued jobs that carry these enrichments, as the processor would. */
  const runJobs = async (enrichmentIds: readonly string[]): Promise<void> => {
    for (const [jobId, ids] of queue.jobs) {
      if (ids.some((id) => enrichmentIds.includes(id))) await processing.processBatch(jobId, ids);
    }
  };

  return {
    config,
    credits,
    settlement,
    progress,
    operations,
    queue,
    waterfall,
    privacy,
    requests,
    processing,
    newLeads,
    newOrg,
    cache,
    bulk,
    runJobs,
  };
}
