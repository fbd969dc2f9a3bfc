import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '../libs/core/src';
import { EnrichmentRetentionService } from '../libs/enrichment/src/services/enrichment-retention.service';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { enrichAndWait, memberToken } from './support/privacy-client';
import { grant } from './support/requests';
import { createTestApp, leadIds, resetState, TestApp } from './support/test-app';

interface StoredValue {
  address: string;
  source: string;
  foundAt: string;
  lastConfirmedAt: string;
}

const DAY_MS = 24 * 3600 * 1000;

describe('Privacy: provenance and retention', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RUN_WORKERS: 'true',
      GLOBAL_CACHE_FRESHNESS_DAYS: '30',
      DATA_RETENTION_DAYS: '60',
      // Passes run when the test says so.
      RETENTION_SWEEP_INTERVAL_MS: '3600000',
    });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  async function show(orgId: string, leadId: string) {
    const res = await t
      .http()
      .get(`/api/v1/operations/enrichment/${leadId}?field=emails`)
      .set('Authorization', `Bearer ${memberToken(t, orgId)}`)
      .expect(200);
    return res.body as { dataFound: boolean; data: { emails: StoredValue[] } | null; purgedAt?: string };
  }

  /** Moves a lead's stored emails `days` back in time, as if found (and last confirmed) then. */
  async function age(leadId: string, days: number): Promise<string> {
    const then = new Date(Date.now() - days * DAY_MS).toISOString();
    await t.dataSource.query(
      `UPDATE global_enrichment
          SET found_at = $2::text::timestamptz,
              data = jsonb_build_object('emails', (SELECT jsonb_agg(v || jsonb_build_object('foundAt', $2::text, 'lastConfirmedAt', $2::text))
                                                     FROM jsonb_array_elements(data -> 'emails') v))
        WHERE entity_id = $1 AND field = 'emails'`,
      [leadId, then],
    );
    return then;
  }

  async function foundLeads(count: number): Promise<string[]> {
    await grant(t, 'org_a', 10_000);
    const rows = await enrichAndWait(t, 'org_a', await leadIds(t.dataSource, 30, 1200));
    const found = rows.filter((row) => row.dataFound).map((row) => row.entityId);
    expect(found.length).toBeGreaterThanOrEqual(count);
    return found.slice(0, count);
  }

  it('shows each value’s source, when it was found and when last confirmed; a new provider answer confirms it', async () => {
    const [lead] = await foundLeads(1);
    const first = await show('org_a', lead);
    for (const value of first.data?.emails ?? []) {
      expect(value.source).toMatch(/^sim-email-(alpha|beta)$/);
      expect(value.foundAt).toBe(value.lastConfirmedAt);
      expect(Date.now() - Date.parse(value.foundAt)).toBeLessThan(60_000);
    }
    expect(first.purgedAt).toBeUndefined();

    // 40 days later the cache is stale (30 days): another org's request asks the provider again.
    const then = await age(lead, 40);
    await grant(t, 'org_b', 1000);
    await enrichAndWait(t, 'org_b', [lead]);
    const confirmed = await show('org_b', lead);
    for (const value of confirmed.data?.emails ?? []) {
      expect(value.foundAt).toBe(then);
      expect(Date.parse(value.lastConfirmedAt)).toBeGreaterThan(Date.parse(then) + 39 * DAY_MS);
    }
  });

  it('purges data nobody confirmed within DATA_RETENTION_DAYS, once across processes; enrichments keep dataFound', async () => {
    const [stale, reconfirmed, recent] = await foundLeads(3);
    await age(stale, 61);
    await age(reconfirmed, 61);
    // Confirmed again by a provider before the sweep: kept.
    await grant(t, 'org_b', 1000);
    await enrichAndWait(t, 'org_b', [reconfirmed]);
    const ledgerBefore = await auditOrg(t.dataSource, 'org_a');

    // Two "processes" at once: this app's sweep and another task under the same name.
    let otherPasses = 0;
    const other = new PeriodicTask(
      'data-retention',
      3_600_000,
      t.app.get<DataSource>(getDataSourceToken()),
      async () => {
        otherPasses += 1;
        await new Promise((resolve) => setImmediate(resolve));
      },
    );
    const retention = t.app.get(EnrichmentRetentionService);
    try {
      const ran = await Promise.all([retention.runOnce(), other.runOnce()]);
      expect(ran.filter(Boolean).length).toBeGreaterThanOrEqual(1);
      if (ran[0] === false) await retention.runOnce();
      expect(otherPasses).toBeLessThanOrEqual(1);
    } finally {
      await other.stop();
    }

    const purged = await show('org_a', stale);
    expect(purged).toMatchObject({ dataFound: true, data: null, purgedAt: expect.any(String) });
    expect((await show('org_a', reconfirmed)).data?.emails.length).toBeGreaterThan(0);
    expect((await show('org_a', recent)).purgedAt).toBeUndefined();
    const cached: { n: number }[] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM global_enrichment WHERE entity_id = $1',
      [stale],
    );
    expect(cached[0].n).toBe(0);

    // A second pass finds nothing to do and changes nothing.
    await retention.runOnce();
    expect((await show('org_a', stale)).purgedAt).toBe(purged.purgedAt);
    const ledgerAfter = await auditOrg(t.dataSource, 'org_a');
    expect(ledgerAfter).toEqual(ledgerBefore);
    expectLedgerConsistent(ledgerAfter);
  });
});
