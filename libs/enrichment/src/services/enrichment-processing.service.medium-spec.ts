import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { until } from '@app/core/testing/until';
import { CreditTransactionType, SettlementOutcome } from '@app/credits';
import { SuppressionKind } from '@app/privacy';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EnrichmentStatus } from '../enrichment.types';
import { enrichmentServices } from '../testing/enrichment-services';

const PRICE = 5;

interface Outcome {
  status: EnrichmentStatus;
  dataFound: boolean | null;
  cached: boolean;
  settled: SettlementOutcome | undefined;
}

/**
 * How a job's answers map to each row's end, on a real database: found and visible is a
 * finished row with data, captured; nothing found, or found but suppressed for the org, is
 * finished without data, released; a job out of attempts fails its rows, released; work
 * past its age times out, released. Running a job twice changes nothing the second time.
 */
describe('EnrichmentProcessingService (PostgreSQL)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let s: ReturnType<typeof enrichmentServices>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('enrichment_processing_spec'));
    s = enrichmentServices(dataSource, { PRICE_EMAILS: PRICE });
  });
  afterAll(() => drop?.());

  const request = async (orgId: string, leadIds: string[]) =>
    (await s.bulk(orgId, leadIds)).enrichments.map((row) => row.id);

  /** Each enrichment's end: its row, whether it points at the global cache, and its ledger settlement. */
  const outcomes = async (ids: string[]): Promise<Outcome[]> => {
    const rows: {
      id: string;
      status: EnrichmentStatus;
      data_found: boolean | null;
      global_enrichment_id: string | null;
      settlement: CreditTransactionType | null;
    }[] = await dataSource.query(
      `SELECT e.id, e.status, e.data_found, e.global_enrichment_id,
              (SELECT t.type FROM credit_transaction t WHERE t.enrichment_id = e.id AND t.type IN ($2, $3)) AS settlement
         FROM enrichment e WHERE e.id = ANY($1::uuid[])`,
      [ids, CreditTransactionType.CONSUMED, CreditTransactionType.RELEASED],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return {
        status: row?.status ?? EnrichmentStatus.PENDING,
        dataFound: row?.data_found ?? null,
        cached: Boolean(row?.global_enrichment_id),
        settled:
          row?.settlement === CreditTransactionType.CONSUMED
            ? SettlementOutcome.CAPTURE
            : row?.settlement === CreditTransactionType.RELEASED
              ? SettlementOutcome.RELEASE
              : undefined,
      };
    });
  };

  it('found and visible: captured; not found: released; found but on the org’s list: not found, released', async () => {
    const orgId = await s.newOrg(100);
    const [found, missing, suppressed] = await s.newLeads(3);
    s.waterfall.known.add(found);
    s.waterfall.known.add(suppressed);
    const ids = await request(orgId, [found, missing, suppressed]);
    // Added after the request: the processor reads the list again before it stores and shows.
    await s.privacy.addSuppression(
      { platform: false, orgId },
      { kind: SuppressionKind.PERSON, value: suppressed, reason: 'spec', createdBy: 'spec' },
    );

    await s.processing.processBatch('job-mapping', ids);

    expect(await outcomes(ids)).toEqual([
      { status: EnrichmentStatus.FINISHED, dataFound: true, cached: true, settled: SettlementOutcome.CAPTURE },
      { status: EnrichmentStatus.FINISHED, dataFound: false, cached: false, settled: SettlementOutcome.RELEASE },
      { status: EnrichmentStatus.FINISHED, dataFound: false, cached: false, settled: SettlementOutcome.RELEASE },
    ]);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100 - PRICE, held: 0 });
  });

  it('a finding erased between its storing and the settlement: not pointed at, not found, released', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    s.waterfall.known.add(lead);
    const ids = await request(orgId, [lead]);
    // The job stores its findings in a transaction of its own, then settles in another. An
    // erasure that commits in between (it holds the privacy lock exclusively, so before the
    // settling transaction takes it shared) removes the stored row: simulated here.
    const lockShared = s.privacy.lockShared.bind(s.privacy);
    let calls = 0;
    const spy = jest.spyOn(s.privacy, 'lockShared').mockImplementation(async (manager) => {
      calls += 1;
      if (calls === 2) await dataSource.query('DELETE FROM global_enrichment WHERE entity_id = $1', [lead]);
      return lockShared(manager);
    });
    try {
      await s.processing.processBatch('job-erased-between', ids);
    } finally {
      spy.mockRestore();
    }

    expect(calls).toBe(2);
    expect(await outcomes(ids)).toEqual([
      { status: EnrichmentStatus.FINISHED, dataFound: false, cached: false, settled: SettlementOutcome.RELEASE },
    ]);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100, held: 0 });
  });

  it('a job of found and missing leads costs 21 statements, begins and commits included (the job budget)', async () => {
    const orgId = await s.newOrg(100);
    const [found, missing] = await s.newLeads(2);
    s.waterfall.known.add(found);
    const ids = await request(orgId, [found, missing]);
    const query = jest.spyOn(Client.prototype, 'query');
    let sent: string[];
    try {
      await s.processing.processBatch('job-budget', ids);
      sent = query.mock.calls.map(([first]: unknown[]) =>
        (typeof first === 'string' ? first : ((first as { text?: string }).text ?? '')).trim().slice(0, 40),
      );
    } finally {
      query.mockRestore();
    }
    // Claim, suppressed-leads check, cache read, the leads' details for the providers; storing
    // (begin, privacy lock, platform list, previous values, insert, commit); settling (begin,
    // account locks — by the orgs the claim returned, no statement to find them —, privacy lock,
    // the rows still cached, the org's list, finish, credit_settle, the operations' open-item
    // counts; this job ends the operation: its completion and its webhook event; commit).
    expect(sent).toHaveLength(21);
  });

  it('a job that outlasts PROCESSING_LEASE_MS renews its claim while the providers answer, then finishes', async () => {
    const leased = enrichmentServices(dataSource, { PRICE_EMAILS: PRICE, PROCESSING_LEASE_MS: 1000 });
    const orgId = await leased.newOrg(100);
    const [lead] = await leased.newLeads(1);
    const [id] = (await leased.bulk(orgId, [lead])).enrichments.map((row) => row.id);
    let answer = () => undefined as void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const asked = jest.spyOn(leased.waterfall, 'runWaterfall').mockImplementation(async (field, leads) => {
      await answered;
      return leads.map((row) => ({ leadId: row.id, data: null, provider: null }));
    });
    const claimedAt = async (): Promise<number> => {
      const [row]: { at: Date }[] = await dataSource.query(
        'SELECT processing_started_at AS at FROM enrichment WHERE id = $1',
        [id],
      );
      return row.at.getTime();
    };

    const job = leased.processing.processBatch('job-long', [id]);
    await until(() => asked.mock.calls.length === 1);
    const claimed = await claimedAt();
    // Renewed every third of the lease (333 ms here) for as long as the providers take.
    await until(async () => (await claimedAt()) > claimed);
    answer();
    await job;

    expect(await outcomes([id])).toEqual([
      { status: EnrichmentStatus.FINISHED, dataFound: false, cached: false, settled: SettlementOutcome.RELEASE },
    ]);
  });

  it('a job delivered twice settles once: the second run finds nothing left to claim', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    s.waterfall.known.add(lead);
    const ids = await request(orgId, [lead]);

    await s.processing.processBatch('job-twice', ids);
    await s.processing.processBatch('job-twice', ids);

    const [{ settlements }]: { settlements: number }[] = await dataSource.query(
      `SELECT count(*)::int AS settlements FROM credit_transaction WHERE enrichment_id = $1 AND type IN ($2, $3)`,
      [ids[0], CreditTransactionType.CONSUMED, CreditTransactionType.RELEASED],
    );
    expect(settlements).toBe(1);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100 - PRICE, held: 0 });
  });

  it('out of attempts: the rows the job claimed fail and are released; others are left alone', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(2);
    const [claimed, untouched] = await request(orgId, leads);
    await dataSource.query(`UPDATE enrichment SET status = 'processing', job_id = 'job-failing' WHERE id = $1`, [
      claimed,
    ]);

    await s.processing.failBatch('job-failing', [claimed, untouched], 'provider down');

    expect(await outcomes([claimed, untouched])).toEqual([
      { status: EnrichmentStatus.FAILED, dataFound: null, cached: false, settled: SettlementOutcome.RELEASE },
      { status: EnrichmentStatus.PENDING, dataFound: null, cached: false, settled: undefined },
    ]);
  });

  it('past ENRICHMENT_MAX_AGE_MS: pending and processing work times out, released', async () => {
    const orgId = await s.newOrg(100);
    const ids = await request(orgId, await s.newLeads(2));
    // Backdated rather than waited for.
    await dataSource.query(
      `UPDATE enrichment SET requested_at = now() - interval '1 day',
              status = CASE WHEN id = $2 THEN 'processing' ELSE status END
        WHERE id = ANY($1::uuid[])`,
      [ids, ids[1]],
    );

    expect(await s.processing.expireOverdue()).toBe(2);

    expect(await outcomes(ids)).toEqual([
      { status: EnrichmentStatus.TIMEOUT, dataFound: null, cached: false, settled: SettlementOutcome.RELEASE },
      { status: EnrichmentStatus.TIMEOUT, dataFound: null, cached: false, settled: SettlementOutcome.RELEASE },
    ]);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100, held: 0 });
  });
});
