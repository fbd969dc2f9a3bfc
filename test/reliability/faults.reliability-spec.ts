import type { Pool } from 'pg';
import { StubRequest, StubReply, StubVendor } from '../../libs/providers/src/testing/stub-vendor';
import {
  BULK,
  call,
  countWhere,
  createPool,
  EnrichmentObject,
  finishScenario,
  grant,
  HttpResult,
  leadIds,
  manual,
  terminateBackends,
  token,
} from './support/harness';
import { baseEnv, freePort, RedisServer, sleep, startApi, startWorker, stopAll, until } from './support/processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(180000);

const SUITE = 'faults';

/**
 * Each scenario starts its own API and worker processes (a fresh queue prefix on the suite's
 * own redis-server), injects its fault, then waits for every enrichment to reach a final
 * state and runs the auditor. Lead ranges are disjoint so that the global cache does not
 * finish the work before the fault hits.
 */
describe('Faults: everything reaches a final state and settles exactly once', () => {
  let db: Pool;
  let redis: RedisServer;

  beforeAll(async () => {
    db = createPool();
    redis = await RedisServer.start();
  });

  afterEach(async () => {
    await stopAll();
    // A scenario that failed half-way may have left the suite's Redis down.
    if (!(await redis.ping().catch(() => false))) await redis.start();
  });

  afterAll(async () => {
    await stopAll();
    await db.end();
  });

  async function enrichAll(
    apiUrl: string,
    org: string,
    leads: string[],
    perRequest: number,
    tally: ScenarioTally,
  ): Promise<HttpResult[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < leads.length; i += perRequest) chunks.push(leads.slice(i, i + perRequest));
    return Promise.all(
      chunks.map((ids) => call(apiUrl, 'POST', BULK, { token: token(org), json: manual(ids), tally })),
    );
  }

  it('SIGKILL of a worker in the middle of a batch: another worker finishes everything', async () => {
    const tally = new ScenarioTally(SUITE, 'SIGKILL a worker mid-batch, start another');
    const org = 'org_rel_worker_kill';
    const env = { ...baseEnv(redis.url), RUN_WORKERS: 'false', ENRICHMENT_BATCH_SIZE: '10' };
    const api = await startApi(env);
    await grant(api.url, org, 10000, tally);
    // Slow providers: every batch is in flight for seconds, so the kill lands inside one.
    const doomed = startWorker({ ...env, SIM_LATENCY_MS: '1500' }, 'worker-doomed');
    const results = await enrichAll(api.url, org, await leadIds(db, 60, 600), 20, tally);
    expect(results.map((res) => res.status)).toEqual([201, 201, 201]);
    await until(
      'a batch in processing',
      async () => (await countWhere(db, `org_id = $1 AND status = 'processing'`, [org])) > 0,
      20000,
    );
    tally.details.processingAtKill = await countWhere(db, `org_id = $1 AND status = 'processing'`, [org]);
    await doomed.stop('SIGKILL');
    tally.faults += 1;
    startWorker(env, 'worker-successor');
    expect(await finishScenario(db, tally, [org], { drainMs: 120000 })).toEqual([]);
  });

  it('SIGKILL of the API between commit and enqueue: the recovery sweep queues everything', async () => {
    const tally = new ScenarioTally(SUITE, 'SIGKILL the API between commit and enqueue');
    const org = 'org_rel_api_kill';
    const env = { ...baseEnv(redis.url), RUN_WORKERS: 'false' };
    // The API cannot reach Redis: every request commits its rows and then fails to enqueue —
    // the window between the two, held open for the whole request.
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const blind = await startApi({ ...env, REDIS_URL: deadRedis }, { name: 'api-blind', wait: 'live' });
    const healthy = await startApi(env, { name: 'api-healthy' });
    await grant(healthy.url, org, 10000, tally);
    await healthy.stop('SIGTERM');
    const results = await enrichAll(blind.url, org, await leadIds(db, 50, 700), 10, tally);
    tally.details.statusesWithoutRedis = results.map((res) => res.status);
    expect(results.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
    // Nothing can have run them: no worker, and no Redis for the API.
    expect(await countWhere(db, `org_id = $1 AND status = 'pending'`, [org])).toBe(50);
    await blind.stop('SIGKILL');
    tally.faults += 1;
    await startApi(env, { name: 'api-restarted' });
    startWorker(env);
    expect(await finishScenario(db, tally, [org], { drainMs: 60000 })).toEqual([]);
  });

  for (const fault of ['restart', 'flushall'] as const) {
    it(`Redis ${fault === 'restart' ? 'killed and restarted (losing every key)' : 'FLUSHALL'} mid-run: every pending enrichment is re-queued`, async () => {
      const tally = new ScenarioTally(SUITE, fault === 'restart' ? 'restart Redis mid-run' : 'FLUSHALL Redis mid-run');
      const org = `org_rel_redis_${fault}`;
      const offset = fault === 'restart' ? 800 : 950;
      const env = { ...baseEnv(redis.url), RUN_WORKERS: 'false', ENRICHMENT_BATCH_SIZE: '10', SIM_LATENCY_MS: '400' };
      const api = await startApi(env);
      startWorker(env);
      await grant(api.url, org, 10000, tally);
      const first = await enrichAll(api.url, org, await leadIds(db, 100, offset), 25, tally);
      expect(first.every((res) => res.status === 201)).toBe(true);
      await until(
        'some work finished',
        async () => (await countWhere(db, `org_id = $1 AND status = 'finished'`, [org])) > 0,
        30000,
      );
      if (fault === 'restart') {
        await redis.kill();
        tally.faults += 1;
        // A request while Redis is down: accepted (or refused cleanly), never half-written.
        const during = await enrichAll(api.url, org, await leadIds(db, 10, offset + 100), 10, tally);
        tally.details.statusesWhileRedisDown = during.map((res) => res.status);
        await sleep(1000);
        await redis.start();
      } else {
        await redis.flushAll();
        tally.faults += 1;
        const after = await enrichAll(api.url, org, await leadIds(db, 10, offset + 100), 10, tally);
        tally.details.statusesAfterFlush = after.map((res) => res.status);
      }
      tally.details.inFlightAtFault = await countWhere(db, `org_id = $1 AND status IN ('pending', 'processing')`, [
        org,
      ]);
      expect(await finishScenario(db, tally, [org], { drainMs: 120000 })).toEqual([]);
    });
  }

  it('PostgreSQL backends terminated mid-request: requests may fail, nothing is half-written', async () => {
    const tally = new ScenarioTally(SUITE, 'terminate PostgreSQL backends mid-request');
    const org = 'org_rel_pg_kill';
    const env = { ...baseEnv(redis.url), RUN_WORKERS: 'false', ENRICHMENT_BATCH_SIZE: '10' };
    const api = await startApi(env);
    startWorker(env);
    await grant(api.url, org, 100000, tally);
    const leads = await leadIds(db, 300, 1100);
    const statuses: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const batch = leads.slice(round * 60, round * 60 + 60);
      const requests = enrichAll(api.url, org, batch, 6, tally);
      await sleep(15 + round * 10);
      tally.details[`backendsTerminatedRound${round}`] = await terminateBackends(db);
      tally.faults += 1;
      statuses.push(...(await requests).map((res) => res.status));
    }
    tally.details.statuses = statuses.reduce<Record<number, number>>(
      (acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }),
      {},
    );
    // The API recovers by itself: the same leads are accepted (reused or new) once the pool reconnects.
    await until(
      'the API to accept requests again',
      async () =>
        (await call(api.url, 'POST', BULK, { token: token(org), json: manual(leads.slice(0, 6)), tally })).status ===
        201,
      20000,
      250,
    );
    expect(statuses.filter((status) => status !== 201).every((status) => status >= 500 || status === 0)).toBe(true);
    expect(await finishScenario(db, tally, [org], { drainMs: 90000 })).toEqual([]);
  });

  it('simulated providers failing 30% of calls (3 job attempts): some enrichments fail, all are settled', async () => {
    const tally = new ScenarioTally(SUITE, 'providers erroring 30% of calls');
    const org = 'org_rel_provider_errors';
    const env = {
      ...baseEnv(redis.url),
      RUN_WORKERS: 'false',
      ENRICHMENT_BATCH_SIZE: '5',
      SIM_ERROR_RATE: '0.3',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '50',
    };
    const api = await startApi(env);
    startWorker(env);
    await grant(api.url, org, 10000, tally);
    const results = await enrichAll(api.url, org, await leadIds(db, 150, 1400), 50, tally);
    expect(results.every((res) => res.status === 201)).toBe(true);
    const violations = await finishScenario(db, tally, [org], { drainMs: 90000 });
    tally.details.failed = await countWhere(db, `org_id = $1 AND status = 'failed'`, [org]);
    expect(violations).toEqual([]);
  });

  it('an HTTP vendor answering 5xx, 429, timeouts and malformed bodies: every enrichment ends and settles', async () => {
    const tally = new ScenarioTally(SUITE, 'HTTP vendor: 5xx, 429, timeouts, malformed bodies');
    const org = 'org_rel_vendor';
    const replies: ((request: StubRequest) => StubReply)[] = [
      () => ({ status: 503, json: { message: 'unavailable' } }),
      () => ({ status: 429, headers: { 'retry-after': '0' }, json: {} }),
      () => 'hang',
      () => ({ status: 200, raw: '{"results": [{"id": 42' }),
      () => ({ status: 200, json: { results: 'not a list' } }),
      () => ({ status: 502, raw: '<html>bad gateway</html>' }),
      (request) => ({ status: 200, json: { results: foundHalf(request) } }),
      (request) => ({ status: 200, json: { results: foundHalf(request) } }),
    ];
    let served = 0;
    const vendor = await StubVendor.start((request) => replies[served++ % replies.length](request));
    try {
      const env = {
        ...baseEnv(redis.url),
        RUN_WORKERS: 'false',
        ENRICHMENT_BATCH_SIZE: '10',
        PROVIDERS_EMAILS: 'generic-emails',
        GENERIC_HTTP_URL: vendor.url,
        GENERIC_HTTP_TIMEOUT_MS: '300',
        PROVIDER_MAX_ATTEMPTS: '2',
        PROVIDER_RETRY_BASE_MS: '10',
        PROVIDER_RETRY_MAX_MS: '50',
        PROVIDER_CIRCUIT_RESET_MS: '500',
        JOB_ATTEMPTS: '3',
        JOB_BACKOFF_MS: '50',
      };
      const api = await startApi(env);
      startWorker(env);
      await grant(api.url, org, 10000, tally);
      const results = await enrichAll(api.url, org, await leadIds(db, 100, 1800), 50, tally);
      expect(results.every((res) => res.status === 201)).toBe(true);
      const violations = await finishScenario(db, tally, [org], { drainMs: 90000 });
      tally.faults += Math.round((served * 6) / replies.length);
      tally.details.vendorRequests = served;
      tally.details.failed = await countWhere(db, `org_id = $1 AND status = 'failed'`, [org]);
      tally.details.found = await countWhere(db, `org_id = $1 AND data_found`, [org]);
      expect(violations).toEqual([]);
    } finally {
      await vendor.close();
    }
  });
});

/** The stub's valid answer: an email for every other lead it was asked about. */
function foundHalf(request: StubRequest): unknown[] {
  const leads = (request.body as { leads?: { id: string }[] } | undefined)?.leads ?? [];
  return leads
    .filter((_, i) => i % 2 === 0)
    .map((lead) => ({
      id: lead.id,
      emails: [{ address: `lead-${lead.id.slice(0, 8)}@example.com`, verificationStatus: 'verified' }],
    }));
}

export type { EnrichmentObject };
