import { recordWire } from '@app/core/testing/record-wire';
import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { AppException, ContactField, ErrorCode } from '@app/core';
import { CreditTransactionType, InsufficientCreditsException } from '@app/credits';
import { SuppressionKind } from '@app/privacy';
import { ManualSelectionDto } from '@app/selection';
import { plainToInstance } from 'class-transformer';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EnrichmentStatus, OperationKind, OperationStatus } from '../enrichment.types';
import { enrichmentServices } from '../testing/enrichment-services';
import { statementsOf } from '../testing/statements-of';

const PRICE = 5;
const BATCH = 2;

/**
 * What a request decides, on a real database: what it reuses, what it holds credits for,
 * what the global cache finishes at once, how pending work is cut into jobs, and that a
 * refused request writes nothing.
 */
describe('EnrichmentRequestService (PostgreSQL)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let s: ReturnType<typeof enrichmentServices>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('enrichment_request_spec'));
    s = enrichmentServices(dataSource, { PRICE_EMAILS: PRICE, ENRICHMENT_BATCH_SIZE: BATCH });
  });
  afterAll(() => drop?.());

  const holdsOf = async (orgId: string): Promise<number[]> => {
    const rows: { amount: string }[] = await dataSource.query(
      'SELECT amount FROM credit_transaction WHERE org_id = $1 AND type = $2 ORDER BY created_at',
      [orgId, CreditTransactionType.RESERVED],
    );
    return rows.map((row) => Number(row.amount));
  };

  const countRows = async (orgId: string): Promise<{ enrichments: number; operations: number }> => {
    const [row]: { enrichments: number; operations: number }[] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM enrichment WHERE org_id = $1) AS enrichments,
              (SELECT count(*)::int FROM enrichment_operation WHERE org_id = $1) AS operations`,
      [orgId],
    );
    return row;
  };

  it('holds for the leads it creates, in selection order, and cuts the pending ones into jobs of the batch size', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(5);

    const { operationId, enrichments } = await s.bulk(orgId, leads);

    expect(enrichments.map((row) => row.entityId)).toEqual(leads);
    expect(enrichments.every((row) => row.status === EnrichmentStatus.PENDING)).toBe(true);
    expect(await holdsOf(orgId)).toEqual([5 * PRICE]);
    const hold = enrichments[0].creditTransactionId;
    const jobs = [...s.queue.jobs].filter(([jobId]) => jobId.startsWith(`hold-${hold}-`));
    expect(jobs.map(([, ids]) => ids.length).sort()).toEqual([1, 2, 2]);
    expect(jobs.flatMap(([, ids]) => ids).sort()).toEqual(enrichments.map((row) => row.id).sort());
    expect(await s.progress.progress(operationId ?? '', orgId)).toMatchObject({
      status: OperationStatus.RUNNING,
      total: 5,
      reused: 0,
      created: 5,
    });
  });

  it('spreads a large request over ENRICHMENT_JOBS_PER_REQUEST jobs, each then bigger than the batch size', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(13);

    const { enrichments } = await s.bulk(orgId, leads);

    // 13 leads in batches of 2 would be 7 jobs; at most 4 (the default) means jobs of 4.
    const hold = enrichments[0].creditTransactionId;
    const jobs = [...s.queue.jobs].filter(([jobId]) => jobId.startsWith(`hold-${hold}-`));
    expect(jobs.map(([, ids]) => ids.length).sort()).toEqual([1, 4, 4, 4]);
    expect(jobs.flatMap(([, ids]) => ids).sort()).toEqual(enrichments.map((row) => row.id).sort());
  });

  it('reuses what is pending or finished and holds only for the rest; failed ones are retried with a new hold', async () => {
    const orgId = await s.newOrg(100);
    const [pending, finished, failed, fresh] = await s.newLeads(4);
    const first = await s.bulk(orgId, [pending, finished, failed]);
    s.waterfall.known.add(finished);
    const [, finishedRow, failedRow] = first.enrichments;
    await s.processing.processBatch('spec-found', [finishedRow.id]);
    // Claimed by a job whose attempts all failed: the processor's last word on it.
    await dataSource.query(`UPDATE enrichment SET status = 'processing', job_id = 'spec-failed' WHERE id = $1`, [
      failedRow.id,
    ]);
    await s.processing.failBatch('spec-failed', [failedRow.id], 'provider down');

    const second = await s.bulk(orgId, [fresh, pending, finished, failed]);

    expect(second.enrichments.map((row) => row.entityId)).toEqual([fresh, pending, finished, failed]);
    const [freshRow, pendingAgain, finishedAgain, retried] = second.enrichments;
    expect(pendingAgain.id).toBe(first.enrichments[0].id);
    expect(finishedAgain).toMatchObject({ id: finishedRow.id, status: EnrichmentStatus.FINISHED });
    expect(retried).toMatchObject({ id: failedRow.id, status: EnrichmentStatus.PENDING });
    expect(retried.creditTransactionId).toBe(freshRow.creditTransactionId);
    expect(retried.creditTransactionId).not.toBe(failedRow.creditTransactionId);
    expect((await holdsOf(orgId)).slice(1)).toEqual([2 * PRICE]);
    expect(await s.progress.progress(second.operationId ?? '', orgId)).toMatchObject({ reused: 2, created: 2 });
  });

  it('records the operation with its items in selection order, and counts open only what is pending', async () => {
    const orgId = await s.newOrg(100);
    const [pending, finished, cached, fresh] = await s.newLeads(4);
    await s.cache(finished);
    await s.cache(cached);
    const first = await s.bulk(orgId, [pending, finished]);
    const { operationId, enrichments } = await s.bulk(orgId, [cached, pending, fresh, finished]);

    const items: { enrichment_id: string; position: number; reused: boolean }[] = await dataSource.query(
      'SELECT enrichment_id, position, reused FROM enrichment_operation_item WHERE operation_id = $1 ORDER BY position',
      [operationId],
    );
    expect(items).toEqual([
      { enrichment_id: enrichments[0].id, position: 0, reused: false },
      { enrichment_id: first.enrichments[0].id, position: 1, reused: true },
      { enrichment_id: enrichments[2].id, position: 2, reused: false },
      { enrichment_id: first.enrichments[1].id, position: 3, reused: true },
    ]);
    const [operation]: { total: number; reused: number; created: number; open_items: number; hold_id: string }[] =
      await dataSource.query(
        'SELECT total, reused, created, open_items, hold_id FROM enrichment_operation WHERE id = $1',
        [operationId],
      );
    // Open: the reused pending lead and the fresh one; the cache hit was counted off as it settled.
    expect(operation).toEqual({
      total: 4,
      reused: 2,
      created: 2,
      open_items: 2,
      hold_id: enrichments[0].creditTransactionId,
    });
    expect(await s.progress.progress(operationId ?? '', orgId)).toMatchObject({ status: OperationStatus.RUNNING });
  });

  it('completes at once a request whose new leads are all cache hits', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    await s.cache(lead);
    const { operationId } = await s.bulk(orgId, [lead]);
    expect(await s.progress.progress(operationId ?? '', orgId)).toMatchObject({
      status: OperationStatus.COMPLETED,
      reused: 0,
      created: 1,
    });
  });

  it('completes at once, holding nothing, a request everything of which is reused and final', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    await s.cache(lead);
    await s.bulk(orgId, [lead]);

    const again = await s.bulk(orgId, [lead]);

    expect(await holdsOf(orgId)).toEqual([PRICE]);
    expect(await s.progress.progress(again.operationId ?? '', orgId)).toMatchObject({
      status: OperationStatus.COMPLETED,
      reused: 1,
      created: 0,
      credits: { held: 0, captured: 0, released: 0 },
    });
  });

  it('finishes cache hits at once, except those whose cached data the org suppresses: they are queued', async () => {
    const orgId = await s.newOrg(100);
    const [visible, suppressed] = await s.newLeads(2);
    await s.cache(visible);
    await s.cache(suppressed);
    await s.privacy.addSuppression(
      { platform: false, orgId },
      { kind: SuppressionKind.PERSON, value: suppressed, reason: 'spec', createdBy: 'spec' },
    );

    const { enrichments } = await s.bulk(orgId, [visible, suppressed]);

    expect(enrichments.map((row) => [row.status, row.dataFound])).toEqual([
      [EnrichmentStatus.FINISHED, true],
      [EnrichmentStatus.PENDING, null],
    ]);
    expect(s.settlement.settled.get(enrichments[0].id)).toBe('capture');
    expect(s.settlement.settled.has(enrichments[1].id)).toBe(false);
    // The insert written behind the hold finished both; that attempt was rolled back and made again.
    expect(await holdsOf(orgId)).toEqual([2 * PRICE]);
    expect(await countRows(orgId)).toEqual({ enrichments: 2, operations: 1 });
  });

  it('short of credits: 402 and nothing written — no enrichment, no operation, no hold', async () => {
    const orgId = await s.newOrg(2 * PRICE);
    const leads = await s.newLeads(3);

    await expect(s.bulk(orgId, leads)).rejects.toBeInstanceOf(InsufficientCreditsException);

    expect(await countRows(orgId)).toEqual({ enrichments: 0, operations: 0 });
    expect(await holdsOf(orgId)).toEqual([]);
    expect(await s.credits.getBalance(orgId)).toEqual({ available: 2 * PRICE, held: 0 });
  });

  it('a retry-only request (the admin retry) of a lead that is no longer failed is 409, and writes nothing', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    await s.bulk(orgId, [lead]);
    const before = await countRows(orgId);

    const error = await s.requests
      .createEnrichments({
        orgId,
        userId: 'admin_spec',
        field: ContactField.EMAILS,
        leadIds: [lead],
        operationKind: null,
        retryOnly: true,
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppException);
    expect(error).toMatchObject({ code: ErrorCode.CONFLICT });
    expect(await countRows(orgId)).toEqual(before);
    expect(await holdsOf(orgId)).toHaveLength(1);
  });

  it('a request that holds credits costs 5 statements, begin and commit included, and reads before it locks (the request-path budget)', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(2);
    const sent = (await statementsOf(() => s.bulk(orgId, leads))).map(({ text }) => text.trim());
    // BEGIN, the reuse read, credit_hold (the account lock, the hold, the alerts' signals) with the
    // privacy lock and the suppression check, the insert with the operation record, COMMIT.
    expect(sent).toHaveLength(5);
    expect(sent[0]).toMatch(/^(BEGIN|START TRANSACTION)/);
    expect(sent[1]).toMatch(/^SELECT l\.entity_id AS lead_id/);
    expect(sent[2]).toMatch(/privacy_lock_shared_any_suppression\(\$1\)[\s\S]*FROM credit_hold\(/);
    expect(sent[3]).toMatch(
      /INSERT INTO enrichment AS e[\s\S]*INSERT INTO enrichment_operation [\s\S]*INSERT INTO enrichment_operation_item/,
    );
    // No statement of its own for the lock: the hold takes it (and the insert rides with the hold).
    expect(sent.filter((text) => /FOR UPDATE/.test(text))).toEqual([]);
  });

  it('writes its insert right behind the hold, before the hold is answered: the account is locked for two round trips', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(2);
    const wire = recordWire();
    try {
      await s.bulk(orgId, leads);
    } finally {
      jest.restoreAllMocks();
    }
    const hold = wire.findIndex((line) => /^sent [\s\S]*FROM credit_hold\(/.test(line));
    expect(hold).toBeGreaterThan(-1);
    // Nothing answered between the two: the insert left before the hold's answer came back.
    expect(wire[hold + 1]).toMatch(/^sent\s+WITH created AS \(\s+INSERT INTO enrichment AS e/);
    // After them: their two answers, then COMMIT.
    expect(wire.slice(hold + 2)).toEqual(['answered', 'answered', 'sent COMMIT', 'answered']);
    const [{ ids }]: { ids: string[] }[] = await dataSource.query(
      `SELECT array_agg(DISTINCT credit_transaction_id::text) AS ids FROM enrichment WHERE org_id = $1`,
      [orgId],
    );
    const [{ id }]: { id: string }[] = await dataSource.query(
      'SELECT id::text FROM credit_transaction WHERE org_id = $1 AND type = $2',
      [orgId, CreditTransactionType.RESERVED],
    );
    expect(ids).toEqual([id]);
  });

  it('the privacy lock is held, shared, from the hold on: an erasure waits for the request to commit', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(2);
    const settle = s.settlement.settle.bind(s.settlement);
    let taken: boolean | undefined;
    // Called after the insert, before commit: can another session take the lock exclusively?
    const spy = jest.spyOn(s.settlement, 'settle').mockImplementationOnce(async (...args) => {
      [{ taken }] = await dataSource.query("SELECT pg_try_advisory_lock(hashtext('privacy'), 0) AS taken");
      if (taken) await dataSource.query("SELECT pg_advisory_unlock(hashtext('privacy'), 0)");
      return settle(...args);
    });
    try {
      await s.bulk(orgId, leads);
    } finally {
      spy.mockRestore();
    }
    expect(taken).toBe(false);
  });

  const manual = (orgId: string, includedIds: string[]) =>
    s.requests.enrichSelection({
      orgId,
      userId: 'user_spec',
      field: ContactField.EMAILS,
      operationKind: OperationKind.BULK,
      selection: plainToInstance(ManualSelectionDto, { mode: 'manual', includedIds }),
    });

  it('a manual request checks that its ids name leads in the read it makes anyway: still 5 statements, the read first', async () => {
    const orgId = await s.newOrg(100);
    const leads = await s.newLeads(2);
    const sent = (await statementsOf(() => manual(orgId, leads))).map(({ text }) => text.trim());
    expect(sent).toHaveLength(5);
    expect(sent[0]).toMatch(/^SELECT l\.entity_id AS lead_id/);
    expect(sent[0]).toContain('FROM person');
    expect(sent[1]).toMatch(/^(BEGIN|START TRANSACTION)/);
    expect(sent.filter((text) => /FROM person/.test(text))).toHaveLength(1);
  });

  it('unknown ids fail a manual request with one read and nothing written, listed in selection order', async () => {
    const orgId = await s.newOrg(100);
    const [known, enriched] = await s.newLeads(2);
    await s.bulk(orgId, [enriched]);
    const [first, second] = [randomUUID(), randomUUID()];
    let error: unknown;
    const sent = await statementsOf(async () => {
      error = await manual(orgId, [second, known, enriched, first.toUpperCase()]).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(AppException);
    expect(error).toMatchObject({
      code: ErrorCode.VALIDATION_ERROR,
      details: { unknownIds: [second, first], unknownCount: 2 },
    });
    expect(sent).toHaveLength(1);
    expect(await countRows(orgId)).toEqual({ enrichments: 1, operations: 1 });
    expect(await holdsOf(orgId)).toEqual([PRICE]);
  });

  it('an id the org has an enrichment of is still unknown when no lead has it', async () => {
    const orgId = await s.newOrg(100);
    const [lead] = await s.newLeads(1);
    await s.bulk(orgId, [lead]);
    await dataSource.query('DELETE FROM person WHERE id = $1', [lead]);
    const error = await manual(orgId, [lead]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.VALIDATION_ERROR, details: { unknownIds: [lead] } });
  });

  it('a lead another request enriches between the read and the hold: rolled back, made again under the lock, reused, held once', async () => {
    const orgId = await s.newOrg(100);
    const [taken, fresh] = await s.newLeads(2);
    const hold = s.credits.hold.bind(s.credits);
    // The other request commits after this one has read (both leads new) and before it holds.
    const spy = jest.spyOn(s.credits, 'hold').mockImplementationOnce(async (manager, request, then) => {
      await s.bulk(orgId, [taken]);
      return hold(manager, request, then);
    });
    let result: Awaited<ReturnType<typeof s.bulk>>;
    try {
      result = await s.bulk(orgId, [taken, fresh]);
    } finally {
      spy.mockRestore();
    }

    expect(await countRows(orgId)).toEqual({ enrichments: 2, operations: 2 });
    expect(await holdsOf(orgId)).toEqual([PRICE, PRICE]);
    const [takenRow, freshRow] = result.enrichments;
    expect(takenRow.creditTransactionId).not.toEqual(freshRow.creditTransactionId);
    expect(await s.progress.progress(result.operationId ?? '', orgId)).toMatchObject({
      total: 2,
      reused: 1,
      created: 1,
    });
  });

  it('what a request reuses is read again under the account lock: its statuses are the answer and the open items', async () => {
    const orgId = await s.newOrg(100);
    const [known, fresh] = await s.newLeads(2);
    await s.bulk(orgId, [known]);
    const sent = (await statementsOf(() => s.bulk(orgId, [known, fresh]))).map(({ text }) => text.trim());
    const reads = sent.flatMap((text, at) => (/^SELECT l\.entity_id AS lead_id/.test(text) ? [at] : []));
    const lock = sent.findIndex((text) => /FROM credit_account WHERE org_id = \$1 FOR UPDATE/.test(text));
    expect(reads).toHaveLength(2);
    expect(lock).toBeGreaterThan(reads[0]);
    expect(lock).toBeLessThan(reads[1]);
  });
});
