import type { Pool } from 'pg';
import { BULK, call, createPool, drain, finishScenario, grant, leadIds, manual, token } from './support/harness';
import { ApiProcess, baseEnv, RedisServer, startApi, startWorker, stopAll } from './support/processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(240000);

const SUITE = 'privacy';
const ERASURES = '/api/v1/admin/erasures';

/**
 * Erasures racing enrichment: one API process and two workers; people are erased while their
 * enrichments are pending, being looked up and being settled, by id and by email.
 */
describe('Privacy: erasure under concurrent enrichment', () => {
  let db: Pool;
  let redis: RedisServer;
  let api: ApiProcess;

  beforeAll(async () => {
    db = createPool();
    redis = await RedisServer.start();
    // Slow providers and small batches: erasures land while batches are in every state.
    const env = { ...baseEnv(redis.url), RUN_WORKERS: 'false', SIM_LATENCY_MS: '60', ENRICHMENT_BATCH_SIZE: '5' };
    api = await startApi(env, { name: 'api' });
    startWorker(env, 'worker-1');
    startWorker(env, 'worker-2');
  });

  afterAll(async () => {
    await stopAll();
    await db.end();
  });

  it('nothing erased reappears, no suppressed lead is charged, the ledger stays exact', async () => {
    const tally = new ScenarioTally(SUITE, 'erasures while enrichments are pending, processing and settling');
    const [orgA, orgB] = ['org_rel_priv_a', 'org_rel_priv_b'];
    await grant(api.url, orgA, 100_000, tally);
    await grant(api.url, orgB, 100_000, tally);
    const admin = token('org_ops', { sub: 'admin_rel', role: 'admin' });

    // Known data first: org A finds what it can of 80 leads.
    const known = await leadIds(db, 80, 2500);
    expect((await call(api.url, 'POST', BULK, { token: token(orgA), json: manual(known), tally })).status).toBe(201);
    await drain(db, [orgA]);
    const { rows: held } = await db.query<{ entity_id: string; email: string }>(
      `SELECT entity_id, data -> 'emails' -> 0 ->> 'address' AS email FROM global_enrichment
        WHERE field = 'emails' AND entity_id = ANY($1::uuid[]) ORDER BY entity_id`,
      [known],
    );
    expect(held.length).toBeGreaterThan(20);
    const byEmail = held.slice(0, 10);
    const fresh = await leadIds(db, 120, 2600);
    const freshVictims = fresh.filter((_, i) => i % 6 === 0);

    // Org B asks for the known leads (cache hits) and new ones (provider work) in many requests,
    // phones too, while erasures arrive: by email for known people, by id for new ones.
    const requests = [...known, ...fresh].map((lead, i) =>
      call(api.url, 'POST', BULK, {
        token: token(orgB),
        json: manual([lead], i % 3 === 0 ? 'phones' : 'emails'),
        tally,
      }),
    );
    const erasures: Promise<{ status: number }>[] = [];
    for (const [i, victim] of [...byEmail.map((row) => row.email), ...freshVictims].entries()) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const json = i < byEmail.length ? { email: victim.toUpperCase() } : { personId: victim };
      erasures.push(call(api.url, 'POST', ERASURES, { token: admin, json, tally }));
    }
    const results = await Promise.all([...requests, ...erasures]);
    expect(results.filter((res) => ![201].includes(res.status))).toEqual([]);
    // And again, once everything is queued: what is erased stays erased when asked for anew.
    for (const lead of [...byEmail.map((row) => row.entity_id), ...freshVictims]) {
      expect((await call(api.url, 'POST', BULK, { token: token(orgA), json: manual([lead]), tally })).status).toBe(201);
    }

    const violations = await finishScenario(db, tally, [orgA, orgB]);
    expect(violations).toEqual([]);

    const erased = [...byEmail.map((row) => row.entity_id), ...freshVictims];
    const erasedEmails = byEmail.map((row) => row.email.toLowerCase());
    // Nothing erased reappears: no cache entry for the people, no erased value anywhere in it.
    const { rows: cache } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM global_enrichment
        WHERE entity_id = ANY($1::uuid[])
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(data -> 'emails') v WHERE lower(v ->> 'address') = ANY($2))`,
      [erased, erasedEmails],
    );
    expect(cache[0].n).toBe(0);
    const { rows: pointing } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM enrichment WHERE entity_id = ANY($1::uuid[]) AND global_enrichment_id IS NOT NULL',
      [erased],
    );
    expect(pointing[0].n).toBe(0);
    // No suppressed lead is charged: whatever settled after its erasure was released, not captured.
    const { rows: charged } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM enrichment e
         JOIN erasure r ON e.entity_id = ANY(r.person_ids)
        WHERE e.settled_at > r.completed_at AND e.data_found
          AND EXISTS (SELECT 1 FROM credit_transaction t WHERE t.enrichment_id = e.id AND t.type = 'credit_consumed'
                        AND t.created_at > r.completed_at)`,
      [],
    );
    expect(charged[0].n).toBe(0);
    // And the API shows none of it.
    for (const lead of erased.slice(0, 8)) {
      for (const org of [orgA, orgB]) {
        const res = await call(api.url, 'GET', `/api/v1/operations/enrichment/${lead}?field=emails`, {
          token: token(org),
          tally,
        });
        for (const email of erasedEmails) expect(res.text).not.toContain(email);
      }
    }
    tally.details.erasures = erasures.length;
  });
});
