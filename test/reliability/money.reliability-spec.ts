import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { AppModule } from '../../apps/api/src/app.module';
import { AppConfig, ContactField, loadConfig } from '../../libs/core/src';
import { CreditExpirySweepService, CreditLotsService, CreditsService } from '../../libs/credits/src';
import { OperationKind } from '../../libs/enrichment/src';
import { EnrichmentRequestService } from '../../libs/enrichment/src/services/enrichment-request.service';
import { BULK, call, createPool, finishScenario, grant, leadIds, manual, token } from './support/harness';
import { ApiProcess, baseEnv, RedisServer, startApi, startWorker, stopAll } from './support/processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(240000);

const SUITE = 'money';
const PRICE_EMAILS = 5;

/**
 * Spend limits and expiring grants under real concurrency: two API processes serve tokens, and
 * this process boots the same application in-process to act as an API-key caller (the key
 * scope is the AuthUser's `apiKeyId`, which an in-process caller sets directly). All three
 * reach the same org's account lock from different connections.
 */
describe('Money: spend limits and expiring lots under concurrency', () => {
  let db: Pool;
  let redis: RedisServer;
  let apis: ApiProcess[];
  let env: Record<string, string>;
  let app: INestApplication;
  const url = (i: number) => apis[i % apis.length].url;

  beforeAll(async () => {
    db = createPool();
    redis = await RedisServer.start();
    env = { ...baseEnv(redis.url), RUN_WORKERS: 'false' };
    apis = await Promise.all([startApi(env, { name: 'api-1' }), startApi(env, { name: 'api-2' })]);
    const config: AppConfig = loadConfig({ ...env, LOG_LEVEL: 'error' });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await stopAll();
    await db.end();
  });

  it('100 concurrent requests over an org, a user and a key limit: no limit is ever passed', async () => {
    const tally = new ScenarioTally(SUITE, '100 concurrent requests, three overlapping limits');
    const org = 'org_rel_limits';
    await grant(url(0), org, 100_000, tally); // the balance would allow all of them
    const owner = token(org, { sub: 'owner_rel', role: 'owner' });
    const limits = { org: 60 * PRICE_EMAILS, user_a: 30 * PRICE_EMAILS, key_1: 20 * PRICE_EMAILS };
    for (const body of [
      { scope: 'org', period: 'day', limit: limits.org },
      { scope: 'user', subjectId: 'user_a', period: 'day', limit: limits.user_a },
      { scope: 'api_key', subjectId: 'key_1', period: 'day', limit: limits.key_1 },
    ]) {
      const res = await call(url(0), 'POST', '/api/v1/spend-limits', { token: owner, json: body, tally });
      expect(res.status).toBe(201);
    }
    const leads = await leadIds(db, 100, 2800);
    const requests = app.get(EnrichmentRequestService);
    const byKey = async (lead: string): Promise<number> => {
      tally.requests += 1;
      try {
        await requests.enrichSelection({
          orgId: org,
          userId: 'apikey:key_1',
          apiKeyId: 'key_1',
          field: ContactField.EMAILS,
          selection: { mode: 'manual', includedIds: [lead] },
          operationKind: OperationKind.BATCH,
        });
        return 201;
      } catch (error) {
        return (error as { code?: string }).code === 'SPEND_LIMIT_EXCEEDED' ? 402 : 500;
      }
    };
    // 40 by user_a, 30 by user_b (no user limit), 30 by key_1, interleaved and all at once.
    const results = await Promise.all(
      leads.map(async (lead, i) => {
        if (i % 10 < 3) return { who: 'key_1', status: await byKey(lead) };
        const who = i % 10 < 7 ? 'user_a' : 'user_b';
        const res = await call(url(i), 'POST', BULK, { token: token(org, { sub: who }), json: manual([lead]), tally });
        const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
        return { who, status: res.status === 402 && code !== 'SPEND_LIMIT_EXCEEDED' ? 499 : res.status };
      }),
    );
    const ok = (who: string) => results.filter((r) => r.who === who && r.status === 201).length;
    tally.details.accepted = { user_a: ok('user_a'), user_b: ok('user_b'), key_1: ok('key_1') };
    expect(results.every((r) => r.status === 201 || r.status === 402)).toBe(true);
    // The org limit is the binding one: 60 leads, no more, however they were split.
    expect(ok('user_a') + ok('user_b') + ok('key_1')).toBe(60);
    expect(ok('user_a')).toBeLessThanOrEqual(30);
    expect(ok('key_1')).toBeLessThanOrEqual(20);

    // Spent straight from the ledger (not from the counters the service keeps).
    const spentSql = `SELECT coalesce(sum(h.amount), 0)::int AS held FROM credit_transaction h
                       WHERE h.org_id = $1 AND h.type = 'credit_reserved' AND ($2::varchar IS NULL OR h.created_by = $2)`;
    const held = async (createdBy: string | null) =>
      (await db.query<{ held: number }>(spentSql, [org, createdBy])).rows[0].held;
    expect(await held(null)).toBe(limits.org);
    expect(await held('user_a')).toBeLessThanOrEqual(limits.user_a);
    expect(await held('apikey:key_1')).toBeLessThanOrEqual(limits.key_1);

    startWorker(env);
    expect(await finishScenario(db, tally, [org], { drainMs: 90000 })).toEqual([]);
    // Once settled, each counter equals held minus released for its subject, from the ledger.
    const { rows } = await db.query<{ scope: string; subject_id: string; spent: number; ledger: number }>(
      `SELECT c.scope, c.subject_id, c.spent::int AS spent,
              (SELECT coalesce(sum(h.amount), 0) - coalesce(sum(r.released), 0) FROM credit_transaction h
                 LEFT JOIN LATERAL (SELECT sum(amount) AS released FROM credit_transaction
                                     WHERE hold_id = h.id AND type = 'credit_released') r ON true
                WHERE h.org_id = c.org_id AND h.type = 'credit_reserved'
                  AND (c.scope = 'org' OR (c.scope = 'user' AND h.created_by = c.subject_id)
                       OR (c.scope = 'api_key' AND h.metadata->>'apiKeyId' = c.subject_id)))::int AS ledger
         FROM spend_counter c WHERE c.org_id = $1 AND c.period = 'day'`,
      [org],
    );
    tally.details.counters = rows;
    for (const row of rows) expect(row.spent).toBe(row.ledger);
  });

  it('grants expire while holds are open, releases land after the expiry, two sweeps run at once', async () => {
    const tally = new ScenarioTally(SUITE, 'expiring lots with open holds, late releases, concurrent sweeps');
    const org = 'org_rel_lots';
    const admin = token('org_ops', { role: 'admin', sub: 'admin_rel' });
    const expiring = await call(url(0), 'POST', `/api/v1/admin/orgs/${org}/credits`, {
      token: admin,
      json: { amount: 120, source: 'stripe_subscription', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
      tally,
    });
    expect(expiring.status).toBe(201);
    await grant(url(1), org, 1000, tally);
    // 20 one-lead requests at once: 100 held, all drawn from the expiring lot (20 left in it).
    const leads = await leadIds(db, 20, 2900);
    const results = await Promise.all(
      leads.map((lead, i) => call(url(i), 'POST', BULK, { token: token(org), json: manual([lead]), tally })),
    );
    expect(results.every((res) => res.status === 201)).toBe(true);
    // The first scenario's worker is still running, so some shares may already be back in the lot.
    const { rows: drawn } = await db.query<{ drawn: number }>(
      `SELECT coalesce(sum(p.amount), 0)::int AS drawn FROM credit_lot l JOIN credit_hold_lot p ON p.lot_id = l.id
        WHERE l.org_id = $1 AND l.expires_at IS NOT NULL`,
      [org],
    );
    expect(drawn).toEqual([{ drawn: 100 }]);

    // The subscription period ends while every hold is still open (time moved by hand).
    await db.query(
      `UPDATE credit_lot SET expires_at = now() - interval '1 second' WHERE org_id = $1 AND expires_at IS NOT NULL`,
      [org],
    );
    const credits = app.get(CreditsService);
    const lots = app.get(CreditLotsService);
    const sweeper = () =>
      new CreditExpirySweepService(app.get<DataSource>(getDataSourceToken()), app.get(AppConfig), credits, lots);
    await Promise.all([sweeper().sweep(), sweeper().sweep()]);
    // The worker settles: shares not found are released after their lot expired; its own sweep runs too.
    startWorker(env, 'worker-lots');
    expect(await finishScenario(db, tally, [org], { drainMs: 90000 })).toEqual([]);
    const { rows } = await db.query<{ swept: number; sweeps: number; late: number; consumed: number }>(
      `SELECT coalesce(sum(amount) FILTER (WHERE type = 'credit_expired' AND hold_id IS NULL), 0)::int AS swept,
              count(*) FILTER (WHERE type = 'credit_expired' AND hold_id IS NULL)::int AS sweeps,
              coalesce(sum(amount) FILTER (WHERE type = 'credit_expired' AND hold_id IS NOT NULL), 0)::int AS late,
              coalesce(sum(amount) FILTER (WHERE type = 'credit_consumed'), 0)::int AS consumed
         FROM credit_transaction WHERE org_id = $1`,
      [org],
    );
    tally.details.expiries = rows[0];
    // Two sweeps at once (and the workers'): the lot's remainder (at least the 20 never drawn) was written off once.
    expect(rows[0].sweeps).toBe(1);
    expect(rows[0].swept).toBeGreaterThanOrEqual(20);
    // Every credit of the expired lot was paid for, written off by the sweep or expired on its late release.
    expect(rows[0].consumed + rows[0].swept + rows[0].late).toBe(120);
    // Nothing of it came back to available: only the lot without expiry is left.
    const balance = await call(url(0), 'GET', '/api/v1/operations/credits/balance', { token: token(org), tally });
    expect((balance.body as { balance: number }).balance).toBe(1000);
  });
});
