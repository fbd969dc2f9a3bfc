import { StubRequest, StubReply, StubVendor } from '../../libs/providers/src/testing/stub-vendor';
import {
  BULK,
  call,
  countWhere,
  EnrichmentObject,
  enrichmentJobCounts,
  finishScenario,
  grant,
  HttpResult,
  leadIds,
  manual,
  terminateBackends,
  token,
} from './support/harness';
import { baseEnv, freePort, sleep, startApi, startWorker, until } from './support/processes';
import { auditIdle } from './support/auditor';
import { useScenarioProcesses } from './support/scenario-processes';
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
  const suite = useScenarioProcesses();

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
    const env = { ...baseEnv(suite.redis.url), RUN_WORKERS: 'false', ENRICHMENT_BATCH_SIZE: '10' };
    const api = await startApi(env);
    await grant(api.url, org, 10000, tally);
    // Slow providers: every batch is in flight for seconds, so the kill lands inside one.
    const doomed = startWorker({ ...env, SIM_LATENCY_MS: '1500' }, 'worker-doomed');
    const results = await enrichAll(api.url, org, await leadIds(suite.db, 60, 600), 20, tally);
    expect(results.map((res) => res.status)).toEqual([201, 201, 201]);
    await until(
      'a batch in processing',
      async () => (await countWhere(suite.db, `org_id = $1 AND status = 'processing'`, [org])) > 0,
      20000,
    );
    tally.details.processingAtKill = await countWhere(suite.db, `org_id = $1 AND status = 'processing'`, [org]);
    await doomed.stop('SIGKILL');
    tally.faults += 1;
    startWorker(env, 'worker-successor');
    expect(await finishScenario(suite.db, tally, [org], { drainMs: 120000 })).toEqual([]);
  });

  it('SIGKILL of the API between commit and enqueue: the recovery sweep queues everything', async () => {
    const tally = new ScenarioTally(SUITE, 'SIGKILL the API between commit and enqueue');
    const org = 'org_rel_api_kill';
    const env = { ...baseEnv(suite.redis.url), RUN_WORKERS: 'false' };
    // The API cannot reach Redis: every request commits its rows and then fails to enqueue —
    // the window between the two, held open for the whole request.
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const blind = await startApi({ ...env, REDIS_URL: deadRedis }, { name: 'api-blind', wait: 'live' });
    const healthy = await startApi(env, { name: 'api-healthy' });
    await grant(healthy.url, org, 10000, tally);
    await healthy.stop('SIGTERM');
    const results = await enrichAll(blind.url, org, await leadIds(suite.db, 50, 700), 10, tally);
    tally.details.statusesWithoutRedis = results.map((res) => res.status);
    expect(results.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
    // Nothing can have run them: no worker, and no Redis for the API.
    expect(await countWhere(suite.db, `org_id = $1 AND status = 'pending'`, [org])).toBe(50);
    await blind.stop('SIGKILL');
    tally.faults += 1;
    await startApi(env, { name: 'api-restarted' });
    startWorker(env);
    expect(await finishScenario(suite.db, tally, [org], { drainMs: 60000 })).toEqual([]);
  });

  for (const fault of ['restart', 'flushall'] as const) {
    it(`Redis ${fault === 'restart' ? 'killed and restarted (losing every key)' : 'FLUSHALL'} mid-run: every pending enrichment is re-queued`, async () => {
      const tally = new ScenarioTally(SUITE, fault === 'restart' ? 'restart Redis mid-run' : 'FLUSHALL Redis mid-run');
      const org = `org_rel_redis_${fault}`;
      const offset = fault === 'restart' ? 800 : 950;
      const env = {
        ...baseEnv(suite.redis.url),
        RUN_WORKERS: 'false',
        ENRICHMENT_BATCH_SIZE: '10',
        SIM_LATENCY_MS: '400',
      };
      const api = await startApi(env);
      startWorker(env);
      await grant(api.url, org, 10000, tally);
      const first = await enrichAll(api.url, org, await leadIds(suite.db, 100, offset), 25, tally);
      expect(first.every((res) => res.status === 201)).toBe(true);
      await until(
        'some work finished',
        async () => (await countWhere(suite.db, `org_id = $1 AND status = 'finished'`, [org])) > 0,
        30000,
      );
      if (fault === 'restart') {
        await suite.redis.kill();
        tally.faults += 1;
        // A request while Redis is down: accepted (or refused cleanly), never half-written.
        const during = await enrichAll(api.url, org, await leadIds(suite.db, 10, offset + 100), 10, tally);
        tally.details.statusesWhileRedisDown = during.map((res) => res.status);
        await sleep(1000);
        await suite.redis.start();
      } else {
        await suite.redis.flushAll();
        tally.faults += 1;
        const after = await enrichAll(api.url, org, await leadIds(suite.db, 10, offset + 100), 10, tally);
        tally.details.statusesAfterFlush = after.map((res) => res.status);
      }
      tally.details.inFlightAtFault = await countWhere(
        suite.db,
        `org_id = $1 AND status IN ('pending', 'processing')`,
        [org],
      );
      expect(await finishScenario(suite.db, tally, [org], { drainMs: 120000 })).toEqual([]);
    });
  }

  it('holds that end: work not finished within ENRICHMENT_MAX_AGE_MS times out, a late provider answer changes nothing', async () => {
    const tally = new ScenarioTally(SUITE, 'hold expiry: workers stopped, then a late provider answer');
    const org = 'org_rel_expiry';
    const maxAgeMs = 2000;
    const env: Record<string, string> = {
      ...baseEnv(suite.redis.url),
      RUN_WORKERS: 'false',
      ENRICHMENT_BATCH_SIZE: '10',
      ENRICHMENT_MAX_AGE_MS: String(maxAgeMs),
    };
    const api = await startApi(env);
    await grant(api.url, org, 10000, tally);
    // No worker: the requested work waits past its limit.
    const early = await enrichAll(api.url, org, await leadIds(suite.db, 20, 2000), 10, tally);
    expect(early.map((res) => res.status)).toEqual([201, 201]);
    await sleep(maxAgeMs + 500);
    // Then a worker whose providers answer after the limit: it claims a batch (processing),
    // the sweep times it out meanwhile, and the answer arrives late.
    const slowEnv: Record<string, string> = { ...env, SIM_LATENCY_MS: '5000' };
    startWorker(slowEnv, 'worker-slow');
    tally.faults += 1;
    const late = await enrichAll(api.url, org, await leadIds(suite.db, 20, 2020), 10, tally);
    expect(late.map((res) => res.status)).toEqual([201, 201]);
    tally.details.processingClaimed = await until(
      'a batch claimed by the slow worker',
      () => countWhere(suite.db, `org_id = $1 AND status = 'processing'`, [org]),
      20000,
      50,
    );
    // Soft waits from here: whatever happens, the auditor runs and records its verdict.
    await until(
      'every enrichment to time out',
      async () => (await countWhere(suite.db, `org_id = $1 AND status <> 'timeout'`, [org])) === 0,
      20000,
      100,
    ).catch(() => undefined);
    // The late answers: wait until the slow worker's jobs have all run to their end.
    const prefix = slowEnv.QUEUE_PREFIX;
    await until(
      'the slow jobs to complete',
      async () => {
        const counts = await enrichmentJobCounts(suite.redis.url, prefix);
        return counts.active + counts.waiting + counts.delayed === 0 && counts.completed + counts.failed > 0;
      },
      60000,
      250,
    ).catch(() => undefined);
    tally.details.jobCounts = await enrichmentJobCounts(suite.redis.url, prefix);
    const violations = await finishScenario(suite.db, tally, [org], { drainMs: 10000, maxAgeMs });
    expect(violations).toEqual([]);
    expect(await countWhere(suite.db, `org_id = $1 AND status = 'timeout'`, [org])).toBe(40);
  });

  it('SIGTERM of a worker mid-batch: it finishes the running batches, starts no other, and exits', async () => {
    const tally = new ScenarioTally(SUITE, 'SIGTERM a worker mid-batch');
    const org = 'org_rel_sigterm';
    const env = { ...baseEnv(suite.redis.url), RUN_WORKERS: 'false', ENRICHMENT_BATCH_SIZE: '10' };
    const api = await startApi(env);
    await grant(api.url, org, 10000, tally);
    const draining = startWorker({ ...env, SIM_LATENCY_MS: '1500' }, 'worker-draining');
    const results = await enrichAll(api.url, org, await leadIds(suite.db, 60, 2100), 20, tally);
    expect(results.map((res) => res.status)).toEqual([201, 201, 201]);
    await until(
      'a batch in processing',
      async () => (await countWhere(suite.db, `org_id = $1 AND status = 'processing'`, [org])) > 0,
      20000,
      50,
    );
    const { rows: running } = await suite.db.query<{ id: string; job_id: string }>(
      `SELECT id, job_id FROM enrichment WHERE org_id = $1 AND status = 'processing'`,
      [org],
    );
    const signalledAt = Date.now();
    draining.process.kill('SIGTERM');
    tally.faults += 1;
    // It must exit by itself: no SIGKILL follows within the bound.
    const exitedInTime = await Promise.race([draining.exited.then(() => true), sleep(30000).then(() => false)]);
    tally.details.exitAfterMs = Date.now() - signalledAt;
    tally.details.processingAtSigterm = running.length;
    if (!exitedInTime) {
      await draining.stop('SIGKILL');
      tally.earlierViolations.push({
        rule: 'a worker exits by itself after SIGTERM',
        orgId: org,
        detail: { waitedMs: 30000, output: draining.output.slice(-5) },
      });
    }
    // The batches it was running were finished by it (under their own job), and nothing is
    // left processing for a lease to rescue.
    tally.earlierViolations.push(...(await auditIdle(suite.db, [org])));
    const { rows: after } = await suite.db.query<{ id: string; status: string; job_id: string }>(
      'SELECT id, status, job_id FROM enrichment WHERE id = ANY($1::uuid[])',
      [running.map((row) => row.id)],
    );
    tally.details.runningBatchAfterExit = after.reduce<Record<string, number>>(
      (acc, row) => ({ ...acc, [row.status]: (acc[row.status] ?? 0) + 1 }),
      {},
    );
    tally.details.pendingLeftForSuccessor = await countWhere(suite.db, `org_id = $1 AND status = 'pending'`, [org]);
    startWorker(env, 'worker-successor');
    expect(await finishScenario(suite.db, tally, [org], { drainMs: 60000 })).toEqual([]);
    expect(exitedInTime).toBe(true);
    expect(after.every((row) => row.status === 'finished')).toBe(true);
  });

  it('PostgreSQL backends terminated mid-request: requests may fail, nothing is half-written', async () => {
    const tally = new ScenarioTally(SUITE, 'terminate PostgreSQL backends mid-request');
    const org = 'org_rel_pg_kill';
    const env = { ...baseEnv(suite.redis.url), RUN_WORKERS: 'false', ENRICHMENT_BATCH_SIZE: '10' };
    const api = await startApi(env);
    startWorker(env);
    await grant(api.url, org, 100000, tally);
    const leads = await leadIds(suite.db, 300, 1100);
    const statuses: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const batch = leads.slice(round * 60, round * 60 + 60);
      const requests = enrichAll(api.url, org, batch, 6, tally);
      await sleep(15 + round * 10);
      tally.details[`backendsTerminatedRound${round}`] = await terminateBackends(suite.db);
      tally.faults += 1;
      statuses.push(...(await requests).map((res) => res.status));
    }
    tally.details.statuses = statuses.reduce<Record<number, number>>(
      (acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }),
      {},
    );
    // The API recovers by itself — it must still be running, and accept the same leads (reused
    // or new) once its pool reconnects.
    let last: HttpResult | undefined;
    await until(
      'the API to accept requests again',
      async () => {
        if (!api.alive) throw new Error('the API process exited');
        last = await call(api.url, 'POST', BULK, { token: token(org), json: manual(leads.slice(0, 6)), tally });
        return last.status === 201;
      },
      20000,
      250,
    ).catch(async (error: unknown) => {
      tally.earlierViolations.push({
        rule: 'the API survives terminated backends and accepts requests again',
        orgId: org,
        detail: { apiExited: !api.alive, lastStatus: last?.status, output: api.output.slice(-5) },
      });
      await finishScenario(suite.db, tally, [org], { drainMs: 30000 }).catch(() => undefined);
      throw new Error(`${String(error)}\nlast answer: ${last?.status} ${last?.text.slice(0, 300)}\n${api.tail(40)}`);
    });
    expect(statuses.filter((status) => status !== 201).every((status) => status >= 500 || status === 0)).toBe(true);
    expect(await finishScenario(suite.db, tally, [org], { drainMs: 90000 })).toEqual([]);
  });

  it('simulated providers failing 30% of calls (3 job attempts): some enrichments fail, all are settled', async () => {
    const tally = new ScenarioTally(SUITE, 'providers erroring 30% of calls');
    const org = 'org_rel_provider_errors';
    const env = {
      ...baseEnv(suite.redis.url),
      RUN_WORKERS: 'false',
      ENRICHMENT_BATCH_SIZE: '5',
      SIM_ERROR_RATE: '0.3',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '50',
    };
    const api = await startApi(env);
    startWorker(env);
    await grant(api.url, org, 10000, tally);
    const results = await enrichAll(api.url, org, await leadIds(suite.db, 150, 1400), 50, tally);
    expect(results.every((res) => res.status === 201)).toBe(true);
    const violations = await finishScenario(suite.db, tally, [org], { drainMs: 90000 });
    tally.details.failed = await countWhere(suite.db, `org_id = $1 AND status = 'failed'`, [org]);
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
        ...baseEnv(suite.redis.url),
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
      const results = await enrichAll(api.url, org, await leadIds(suite.db, 100, 1800), 50, tally);
      expect(results.every((res) => res.status === 201)).toBe(true);
      const violations = await finishScenario(suite.db, tally, [org], { drainMs: 90000 });
      tally.faults += Math.round((served * 6) / replies.length);
      tally.details.vendorRequests = served;
      tally.details.failed = await countWhere(suite.db, `org_id = $1 AND status = 'failed'`, [org]);
      tally.details.found = await countWhere(suite.db, `org_id = $1 AND data_found`, [org]);
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
