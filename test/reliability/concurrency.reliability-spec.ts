import type { Pool } from 'pg';
import {
  BULK,
  call,
  HttpResult,
  createPool,
  EnrichmentObject,
  finishScenario,
  grant,
  leadIds,
  manual,
  token,
} from './support/harness';
import { ApiProcess, baseEnv, ManagedProcess, RedisServer, startApi, startWorker, stopAll } from './support/processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(180000);

const SUITE = 'concurrency';
const PRICE_EMAILS = 5;

/**
 * Two API processes (requests alternate between them, so the org lock is the only thing
 * serialising them) and one worker process, on the suite's own Redis.
 */
describe('Concurrency: nothing overspent, nothing duplicated', () => {
  let db: Pool;
  let redis: RedisServer;
  let apis: ApiProcess[];
  let worker: ManagedProcess;
  let env: Record<string, string>;
  const url = (i: number) => apis[i % apis.length].url;

  beforeAll(async () => {
    db = createPool();
    redis = await RedisServer.start();
    env = { ...baseEnv(redis.url), RUN_WORKERS: 'false' };
    apis = await Promise.all([startApi(env, { name: 'api-1' }), startApi(env, { name: 'api-2' })]);
  });

  afterAll(async () => {
    await stopAll();
    await db.end();
  });

  it('200 concurrent requests against credits for a quarter of them: exactly 50 × 201, 150 × 402', async () => {
    const tally = new ScenarioTally(SUITE, '200 concurrent requests, credits for 50');
    const org = 'org_rel_quarter';
    await grant(url(0), org, 50 * PRICE_EMAILS, tally);
    const leads = await leadIds(db, 200, 0);
    const tokens = [token(org, { sub: 'user_a' }), token(org, { sub: 'user_b' })];
    // No worker yet: a lead released while the burst runs would fund one more request.
    const results = await Promise.all(
      leads.map((lead, i) => call(url(i), 'POST', BULK, { token: tokens[i % 2], json: manual([lead]), tally })),
    );
    worker = startWorker(env);
    const statuses = results.map((res) => res.status);
    tally.details.statuses = countBy(statuses);
    expect(countBy(statuses)).toEqual({ 201: 50, 402: 150 });
    for (const res of results.filter((r) => r.status === 402)) {
      expect(res.body).toMatchObject({ error: { code: 'INSUFFICIENT_CREDITS' } });
    }
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrichment WHERE org_id = $1`, [
      org,
    ]);
    expect(rows[0].n).toBe(50);
    expect(await finishScenario(db, tally, [org], { drainMs: 60000 })).toEqual([]);
  });

  it('50 identical concurrent requests: one enrichment per lead, one hold', async () => {
    const tally = new ScenarioTally(SUITE, '50 identical concurrent requests');
    const org = 'org_rel_identical';
    await grant(url(0), org, 10000, tally);
    const leads = await leadIds(db, 10, 200);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(url(i), 'POST', BULK, { token: token(org), json: manual(leads), tally }),
      ),
    );
    tally.details.statuses = countBy(results.map((res) => res.status));
    // The auditor first (so that a failure is recorded with its violations), then the answers.
    const violations = await finishScenario(db, tally, [org], { drainMs: 60000 });
    expect(results.every((res) => res.status === 201)).toBe(true);
    const idsPerResponse = results.map((res) => (res.body as EnrichmentObject[]).map((e) => e.id).join(','));
    expect(new Set(idsPerResponse).size).toBe(1);
    const { rows } = await db.query<{ enrichments: number; holds: number; held: number }>(
      `SELECT (SELECT count(*)::int FROM enrichment WHERE org_id = $1) AS enrichments,
              (SELECT count(*)::int FROM credit_transaction WHERE org_id = $1 AND type = 'credit_reserved') AS holds,
              (SELECT coalesce(sum(amount), 0)::int FROM credit_transaction WHERE org_id = $1 AND type = 'credit_reserved') AS held`,
      [org],
    );
    expect(rows[0]).toEqual({ enrichments: 10, holds: 1, held: 10 * PRICE_EMAILS });
    expect(violations).toEqual([]);
  });

  it('overlapping manual and bulk selections from several users of one org, both fields', async () => {
    const tally = new ScenarioTally(SUITE, 'overlapping manual and bulk selections, 6 users');
    const org = 'org_rel_overlap';
    await grant(url(0), org, 100000, tally);
    // Bulk windows over all leads (filters {}) overlap each other and the manual picks.
    const window = await leadIds(db, 160, 0);
    const requests: { body: unknown; leads: string[]; field: string }[] = [];
    for (let user = 0; user < 6; user += 1) {
      for (const field of ['emails', 'phones'] as const) {
        const start = user * 20;
        requests.push({
          body: { selection: { mode: 'bulk', startIndex: start, targetCount: 60, filters: {} }, field },
          leads: window.slice(start, start + 60),
          field,
        });
        const picks = window.slice(user * 15, user * 15 + 40).filter((_, i) => i % 2 === user % 2);
        requests.push({ body: manual(picks, field), leads: picks, field });
      }
    }
    const results = await Promise.all(
      requests.map((request, i) =>
        call(url(i), 'POST', BULK, { token: token(org, { sub: `user_${i % 6}` }), json: request.body, tally }),
      ),
    );
    tally.details.statuses = countBy(results.map((res) => res.status));
    const violations = await finishScenario(db, tally, [org], { drainMs: 90000 });
    expect(results.map((res) => res.status).every((status) => status === 201)).toBe(true);

    // Every response names, for each lead, the one enrichment of that (lead, field).
    const idByLead = new Map<string, string>();
    results.forEach((res, i) => {
      const objects = res.body as EnrichmentObject[];
      expect(objects.map((e) => e.entityId)).toEqual(requests[i].leads);
      for (const e of objects) {
        const key = `${requests[i].field}:${e.entityId}`;
        expect(idByLead.get(key) ?? e.id).toBe(e.id);
        idByLead.set(key, e.id);
      }
    });
    const { rows } = await db.query<{ n: number; reserved: number }>(
      `SELECT (SELECT count(*)::int FROM enrichment WHERE org_id = $1) AS n,
              (SELECT coalesce(sum(amount), 0)::int FROM credit_transaction WHERE org_id = $1 AND type = 'credit_reserved') AS reserved`,
      [org],
    );
    const distinct = (field: string) => new Set(requests.filter((r) => r.field === field).flatMap((r) => r.leads)).size;
    expect(rows[0].n).toBe(idByLead.size);
    // Each (lead, field) was paid for once: by the first request to reach it.
    expect(rows[0].reserved).toBe(distinct('emails') * PRICE_EMAILS + distinct('phones') * 20);
    expect(worker.alive).toBe(true);
    expect(violations).toEqual([]);
  });

  it('Idempotency-Key: 50 concurrent identical requests over two API processes do the work once', async () => {
    const tally = new ScenarioTally(SUITE, 'Idempotency-Key: 50 concurrent identical requests, one key');
    const org = 'org_rel_idempotency';
    // Run alone (jest -t), the worker the first scenario starts is not there yet.
    if (!worker?.alive) worker = startWorker(env);
    const admin = token('org_ops', { role: 'admin', sub: 'admin_rel' });
    const member = token(org);
    const grantPath = `/api/v1/admin/orgs/${org}/credits`;
    const send = (i: number, path: string, bearer: string, key: string, json: unknown) =>
      call(url(i), 'POST', path, { token: bearer, json, headers: { 'idempotency-key': key }, tally });
    const burst = (path: string, bearer: string, key: string, json: unknown) =>
      Promise.all(Array.from({ length: 50 }, (_, i) => send(i, path, bearer, key, json)));

    // A grant that moves credits: 50 at once with one key must credit the org once.
    const grantBody = { amount: 5000, source: 'manual', description: 'idempotent grant' };
    const grants = await burst(grantPath, admin, 'grant-key-1', grantBody);
    const otherGrant = await send(0, grantPath, admin, 'grant-key-1', { ...grantBody, amount: 5001 });
    // A failed request releases its key: the corrected request may use it.
    const leads = await leadIds(db, 10, 220);
    const invalid = await send(1, BULK, member, 'bulk-key-1', { ...manual(leads), unexpected: true });
    const bulk = await burst(BULK, member, 'bulk-key-1', manual(leads));
    // Once the first has answered, the same key and body replay it; another body is refused.
    const again = await send(1, BULK, member, 'bulk-key-1', manual(leads));
    const otherBody = await send(0, BULK, member, 'bulk-key-1', manual(leads.slice(0, 5)));
    tally.details.grantStatuses = countBy(grants.map(statusOf));
    tally.details.bulkStatuses = countBy(bulk.map(statusOf));

    // The auditor first (so that a failure is recorded with its violations), then the answers.
    const violations = await finishScenario(db, tally, [org], {
      drainMs: 60000,
      expected: { [org]: { granted: 5000, holds: 1 } },
    });
    expectDoneOnce(grants, 201);
    expect(otherGrant.status).toBe(422);
    expect(otherGrant.body).toMatchObject({ error: { code: 'UNPROCESSABLE' } });
    expect(invalid.status).toBe(400);
    expectDoneOnce(bulk, 201);
    expect(again.status).toBe(201);
    expect(replayed(again)).toBe(true);
    expect(canonical(again.body)).toBe(canonical(bulk.find((res) => res.status === 201)?.body));
    expect(otherBody.status).toBe(422);
    expect(otherBody.body).toMatchObject({ error: { code: 'UNPROCESSABLE' } });
    expect(violations).toEqual([]);
  });
});

const replayed = (res: HttpResult) => res.headers.get('idempotent-replayed') === 'true';

/** A replayed answer counts as its negated status in the figures. */
const statusOf = (res: HttpResult) => (replayed(res) ? -res.status : res.status);

/** One answer did the work; every other one replayed it or was told it is in flight (409). */
function expectDoneOnce(results: HttpResult[], status: number): void {
  expect(results.every((res) => res.status === status || res.status === 409)).toBe(true);
  expect(results.filter((res) => res.status === status && !replayed(res))).toHaveLength(1);
  // PostgreSQL stores the replayed body as jsonb (keys reordered): compared canonically.
  expect(new Set(results.filter((res) => res.status === status).map((res) => canonical(res.body))).size).toBe(1);
  for (const res of results.filter((r) => r.status === 409)) {
    expect(res.body).toMatchObject({ error: { code: 'CONFLICT' } });
  }
}

function countBy(values: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** JSON with sorted keys, so that two equal bodies compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
