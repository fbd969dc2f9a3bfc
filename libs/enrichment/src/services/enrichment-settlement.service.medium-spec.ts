import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { CreditTransactionType, SettlementOutcome } from '@app/credits';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EnrichmentStatus, OperationStatus } from '../enrichment.types';
import { enrichmentServices } from '../testing/enrichment-services';
import { SettledRow } from './enrichment-settlement.service';

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
  let s: ReturnType<typeof enrichmentServices>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('enrichment_settlement_spec'));
    s = enrichmentServices(dataSource, { PRICE_EMAILS: PRICE });
  });
  afterAll(() => drop?.());

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
    for (const [enrichmentId, outcome] of entries) expect(s.settlement.settled.get(enrichmentId)).toBe(outcome);
  };

  it('a cache hit is captured at request time, the job captures what is found and releases the rest, and completes the operation', async () => {
    const orgId = await s.newOrg(100);
    const [cached, found, missing] = await s.newLeads(3);
    await s.cache(cached);
    s.waterfall.known.add(found);

    const { operationId, enrichments } = await s.bulk(orgId, [cached, found, missing]);
    const [cachedRow, foundRow, missingRow] = enrichments;
    expect(cachedRow.status).toBe(EnrichmentStatus.FINISHED);
    expect(s.settlement.settled.get(cachedRow.id)).toBe(SettlementOutcome.CAPTURE);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100 - 3 * PRICE, held: 2 * PRICE });

    await s.runJobs([foundRow.id, missingRow.id]);

    expect(await ledger(orgId)).toEqual(
      new Map([
        [cachedRow.id, SettlementOutcome.CAPTURE],
        [foundRow.id, SettlementOutcome.CAPTURE],
        [missingRow.id, SettlementOutcome.RELEASE],
      ]),
    );
    await expectAllThroughSettlement(orgId);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100 - 2 * PRICE, held: 0 });
    const done = await s.progress.progress(operationId ?? '', orgId);
    expect(done).toMatchObject({ status: OperationStatus.COMPLETED, found: 2, finished: 3 });
    expect(done.credits).toEqual({ held: 0, captured: 2 * PRICE, released: PRICE });
  });

  it('a cancel releases the pending shares and completes an operation that was waiting on them', async () => {
    const orgId = await s.newOrg(100);
    const [first, second] = await s.newLeads(2);
    const { operationId: cancelledId, enrichments } = await s.bulk(orgId, [first, second]);
    // A second request reuses the pending enrichments: it waits on the first one's work.
    const { operationId: waitingId } = await s.bulk(orgId, [first, second]);

    const cancelled = await s.operations.cancel(cancelledId ?? '', orgId);

    expect(cancelled).toMatchObject({ status: OperationStatus.CANCELLED, cancelled: 2 });
    expect(cancelled.credits).toEqual({ held: 0, captured: 0, released: 2 * PRICE });
    expect(await ledger(orgId)).toEqual(new Map(enrichments.map((row) => [row.id, SettlementOutcome.RELEASE])));
    await expectAllThroughSettlement(orgId);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 100, held: 0 });
    expect((await s.progress.progress(waitingId ?? '', orgId)).status).toBe(OperationStatus.COMPLETED);
  });

  it('the timeout sweep releases overdue work through the same path', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    const { operationId, enrichments } = await s.bulk(orgId, [lead]);
    // Backdated past ENRICHMENT_MAX_AGE_MS (30 minutes by default) rather than waited for.
    await dataSource.query(`UPDATE enrichment SET requested_at = now() - interval '1 hour' WHERE id = $1`, [
      enrichments[0].id,
    ]);

    expect(await s.processing.expireOverdue()).toBeGreaterThanOrEqual(1);

    expect(await ledger(orgId)).toEqual(new Map([[enrichments[0].id, SettlementOutcome.RELEASE]]));
    await expectAllThroughSettlement(orgId);
    expect((await s.progress.progress(operationId ?? '', orgId)).status).toBe(OperationStatus.COMPLETED);
  });

  describe('the open-items count that decides when completion is checked', () => {
    const operationRow = async (operationId: string | null) => {
      const [row]: { status: OperationStatus; open_items: number }[] = await dataSource.query(
        'SELECT status, open_items FROM enrichment_operation WHERE id = $1',
        [operationId],
      );
      return row;
    };
    /** One enrichment of its batch job, as a job that carried only it would. */
    const runOne = async (enrichmentId: string): Promise<void> => {
      const [jobId] = [...s.queue.jobs].find(([, ids]) => ids.includes(enrichmentId)) ?? [];
      await s.processing.processBatch(jobId ?? '', [enrichmentId]);
    };
    /** The completion check reads every item; how many times a job sends it. */
    const completionChecks = async (work: () => Promise<unknown>): Promise<number> => {
      const query = jest.spyOn(Client.prototype, 'query');
      try {
        await work();
        return query.mock.calls.filter(([config]) => JSON.stringify(config).includes('NOT EXISTS')).length;
      } finally {
        query.mockRestore();
      }
    };

    it('counts down as items settle, and checks for completion only once nothing is left open', async () => {
      const orgId = await s.newOrg(100);
      const [cached, first, second] = await s.newLeads(3);
      await s.cache(cached);
      const { operationId, enrichments } = await s.bulk(orgId, [cached, first, second]);
      // The cache hit is final at once; two items are open.
      expect(await operationRow(operationId)).toEqual({ status: OperationStatus.RUNNING, open_items: 2 });

      expect(await completionChecks(() => runOne(enrichments[1].id))).toBe(0);
      expect(await operationRow(operationId)).toEqual({ status: OperationStatus.RUNNING, open_items: 1 });

      expect(await completionChecks(() => runOne(enrichments[2].id))).toBe(1);
      expect(await operationRow(operationId)).toEqual({ status: OperationStatus.COMPLETED, open_items: 0 });
    });

    it('a count run low (an item retried after it was counted) costs a check, not a completion with work open', async () => {
      const orgId = await s.newOrg(100);
      const [first, second] = await s.newLeads(2);
      const { operationId, enrichments } = await s.bulk(orgId, [first, second]);
      await dataSource.query('UPDATE enrichment_operation SET open_items = 1 WHERE id = $1', [operationId]);

      expect(await completionChecks(() => runOne(enrichments[0].id))).toBe(1);
      expect(await operationRow(operationId)).toEqual({ status: OperationStatus.RUNNING, open_items: 0 });

      await runOne(enrichments[1].id);
      expect(await operationRow(operationId)).toEqual({ status: OperationStatus.COMPLETED, open_items: -1 });
    });

    it('a count left high (an item that became final without a settlement) is completed by the sweep', async () => {
      const orgId = await s.newOrg(100);
      const [lead] = await s.newLeads(1);
      const { operationId, enrichments } = await s.bulk(orgId, [lead]);
      await dataSource.query('UPDATE enrichment_operation SET open_items = 2 WHERE id = $1', [operationId]);

      await s.runJobs([enrichments[0].id]);
      expect(await operationRow(operationId)).toEqual({ status: OperationStatus.RUNNING, open_items: 1 });

      expect(await s.operations.completeStragglers()).toContain(operationId);
      expect((await operationRow(operationId)).status).toBe(OperationStatus.COMPLETED);
    });
  });

  it('refuses to settle an enrichment whose org account the transaction did not lock', async () => {
    const [orgId, otherOrg] = [await s.newOrg(10), await s.newOrg(10)];
    const [lead] = await s.newLeads(1);
    const { enrichments } = await s.bulk(otherOrg, [lead]);
    const [row]: SettledRow[] = await dataSource.query(
      'SELECT id, org_id, credit_transaction_id, charge, field FROM enrichment WHERE id = $1',
      [enrichments[0].id],
    );

    await expect(
      dataSource.transaction(async (manager) =>
        s.settlement.settle(await s.settlement.lockAccount(manager, orgId), [row], SettlementOutcome.RELEASE),
      ),
    ).rejects.toThrow(/without its org's account lock/);
    expect(await ledger(otherOrg)).toEqual(new Map());
  });
});
