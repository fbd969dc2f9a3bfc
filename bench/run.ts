/**
 * `npm run bench` (`npm run bench:smoke` for the few-seconds CI variant): measures the service
 * against the floor (bench/floor-server.ts) in one run, with one load client (autocannon), and
 * writes bench/results.json, bench/results.md and bench/latency.svg.
 *
 * It starts everything it needs — its own databases, Redis key prefix and ports — and stops
 * everything it started, on success, failure or Ctrl-C. See the "Performance" section of the
 * README for what is measured and how.
 *
 * Flags: --smoke (tiny counts, output to a temporary directory), --no-build (use dist as it
 * is), --profile (the API and worker children write V8 CPU profiles to bench/profiles/), --out <dir>,
 * --quick [--rounds N] (for working on the request path: bulk-1000 and N alternating rounds
 * of manual mode, service then floor, ratios printed per round; no pipeline, nothing written),
 * --pipeline [--rounds N] (for working on the workers: N rounds of the pipeline phase with one
 * and two worker processes, with CPU per 1,000 enrichments; nothing written).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Bull from 'bull';
import { format } from 'prettier';
import { Client } from 'pg';
import { Child, Children, cpuSecondsOf, freePort, memoryOf, waitUntil } from './lib/children';
import {
  backendCpu,
  backendCpuSpent,
  flushPrefix,
  grantCredits,
  leadIds,
  prepareDatabase,
  resetActivity,
  terminateConnections,
} from './lib/database';
import { LoadOptions, LoadResult, PlannedRequest, runLoad } from './lib/load';
import { bulkPlan, JWT_SECRET, manualPlan, token } from './lib/plans';
import {
  ChartData,
  evaluateTargets,
  LatencyStats,
  linearity,
  markdown,
  PipelineRun,
  ProviderAdherence,
  Results,
  svgChart,
} from './lib/report';

const ROOT = resolve(__dirname, '..');
const API_MAIN = join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const PROBE_TARGET = join(ROOT, 'dist/apps/worker/libs/providers/src/simulated/simulated.provider.js');
const PROBE = join(ROOT, 'bench/provider-call-probe.js');
const FLOOR = join(ROOT, 'bench/floor-server.ts');
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The queue name of libs/enrichment (QueueName.ENRICHMENT). */
const QUEUE_NAME = 'enrichment';
const CREDITS_PER_ORG = 50_000_000;

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    pipeline: { type: 'boolean', default: false },
  },
});

const SIZES = { full: fullSettings(), smoke: smokeSettings() };
const S = flags.smoke ? SIZES.smoke : SIZES.full;
const NAME = flags.smoke ? 'bench_smoke' : 'bench';
const SERVICE_DB = `${PG_BASE}/enrichment_${NAME}`;
const FLOOR_DB = `${PG_BASE}/enrichment_${NAME}_floor`;
const PREFIX = NAME.replace(/_/g, '-');
const OUT = resolve(flags.out ?? (flags.smoke ? join(tmpdir(), 'enrichment-bench-smoke') : join(ROOT, 'bench')));

function fullSettings() {
  return {
    people: 20_000,
    // Long enough for V8 to finish optimising the API's request path: with 3 s at 4 clients its
    // CPU per manual request still fell 25% over the next three 10 s rounds (the floor's did not).
    warmupS: 20,
    // Manual requests again right before the measured turns: both servers come out of the bulk
    // phase above their steady CPU per manual request for the first seconds (see the manual phase).
    manualWarmupS: 5,
    manualDurationS: 15,
    manualConnections: 32,
    manualOrgs: 50,
    bulkSizes: [10, 100, 1000],
    bulkRequests: { 10: 100, 100: 100, 1000: 60 } as Record<number, number>,
    bulkWarmup: 5,
    pipelineOrgs: 20,
    pipelineLeadsPerOrg: 1000,
    rlOrgs: 12,
    rlLeadsPerOrg: 1000,
    rlRequestLeads: 200,
    rlLimit: 20,
    rlWindowMs: 1000,
    rlWindows: 10,
  };
}

function smokeSettings(): ReturnType<typeof fullSettings> {
  return {
    people: 2000,
    warmupS: 0.3,
    manualWarmupS: 0.3,
    manualDurationS: 1,
    manualConnections: 4,
    manualOrgs: 5,
    bulkSizes: [10, 100, 1000],
    bulkRequests: { 10: 2, 100: 2, 1000: 2 },
    bulkWarmup: 1,
    pipelineOrgs: 1,
    pipelineLeadsPerOrg: 100,
    rlOrgs: 2,
    rlLeadsPerOrg: 200,
    rlRequestLeads: 200,
    rlLimit: 5,
    rlWindowMs: 200,
    rlWindows: 2,
  };
}

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds (npm run build) when dist is missing or older than any source file of apps/ and libs/. */
function ensureBuilt(): void {
  const built = [API_MAIN, WORKER_MAIN].every(existsSync)
    ? Math.min(statSync(API_MAIN).mtimeMs, statSync(WORKER_MAIN).mtimeMs)
    : 0;
  const stale = built < Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  if (!stale) return;
  if (flags['no-build']) {
    if (!built) throw new Error('dist is missing: run `npm run build` (or drop --no-build)');
    log('dist is older than the sources; measuring it anyway (--no-build)');
    return;
  }
  log('dist is missing or stale: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

// ---------------------------------------------------------------------------------------------

const children = new Children();

interface Servers {
  api: Child;
  floor: Child;
  apiUrl: string;
  floorUrl: string;
}

function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: SERVICE_DB,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    SIM_LATENCY_MS: '0',
    SIM_ERROR_RATE: '0',
    PROVIDER_RATE_LIMIT: '1000000',
    // The per-org API budget still runs (its Redis call is part of the service's cost) but never binds.
    RATE_LIMIT: '1000000',
    // Production refuses a public /metrics; the bench never scrapes it, but the API must boot.
    METRICS_TOKEN: 'bench-metrics-token-0123456789',
    // Health polling while the children start counts against the per-IP budget for anonymous calls.
    RATE_LIMIT_ANON: '1000000',
    // No result is ever reused from the global cache: every lead of every run goes through the
    // whole path (the look-up still runs, it just never hits), on both sides.
    GLOBAL_CACHE_FRESHNESS_DAYS: '0',
    ...extra,
  };
}

/** With --profile, node's flags for a V8 CPU profile written to bench/profiles/ when the child exits. */
const profileArgs = (): string[] =>
  flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles')}`] : [];

/**
 * The API is measured as it is deployed: with the node flags of `npm run start:api` (its bounded
 * old space, which is what its peak RSS depends on) in front of the same entry point.
 */
function deployedApiFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const words = (scripts['start:api'] ?? '').trim().split(/\s+/);
  const [node, main] = [words.indexOf('node'), words.length - 1];
  if (node < 0 || join(ROOT, words[main]) !== API_MAIN) {
    throw new Error(`package.json's start:api must be "[exec] node [flags] ${API_MAIN.slice(ROOT.length + 1)}"`);
  }
  return words.slice(node + 1, main);
}

async function startServers(): Promise<Servers> {
  const [apiPort, floorPort] = [await freePort(), await freePort()];
  const apiArgs = [...profileArgs(), ...deployedApiFlags(), API_MAIN];
  const api = children.start('api', apiArgs, serviceEnv({ PORT: String(apiPort), RUN_WORKERS: 'false' }));
  const floor = children.start('floor', ['-r', 'ts-node/register/transpile-only', FLOOR], {
    PATH: process.env.PATH,
    PORT: String(floorPort),
    DATABASE_URL: FLOOR_DB,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    JWT_SECRET,
    GLOBAL_CACHE_FRESHNESS_DAYS: '0',
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  const probeToken = token('bench-probe');
  await waitUntil(
    'the API to answer',
    async () =>
      (
        await fetch(`${apiUrl}/api/v1/operations/credits/balance`, {
          headers: { authorization: `Bearer ${probeToken}` },
        })
      ).status === 200,
    children,
    [api],
  );
  await waitUntil('the floor to answer', async () => (await fetch(`${floorUrl}/health`)).ok, children, [floor]);
  return { api, floor, apiUrl, floorUrl };
}

/** The API (RUN_WORKERS=false) and the floor, started and warmed up (JIT, connection pools, plan caches) alike. */
async function startWarmedServers(warmOrgs: string[], ids: string[]) {
  log('starting the API (RUN_WORKERS=false) and the floor');
  const servers = await startServers();
  const both = [
    { side: 'service' as const, url: servers.apiUrl, child: servers.api },
    { side: 'floor' as const, url: servers.floorUrl, child: servers.floor },
  ];
  for (const { url } of both) {
    await runLoad({ url, connections: S.manualConnections, duration: S.warmupS, next: manualPlan(warmOrgs, ids) });
  }
  return { servers, both };
}

/** Worker processes for the pipeline phases, with the call probe preloaded; resolves when Bull sees them all. */
async function startWorkers(count: number, env: Record<string, string>): Promise<Child[]> {
  const workers = Array.from({ length: count }, (_, i) =>
    children.start(
      `worker-${i + 1}`,
      [...profileArgs(), '-r', PROBE, WORKER_MAIN],
      serviceEnv({ ...env, BENCH_PROBE_MODULE: PROBE_TARGET, RUN_WORKERS: 'true' }),
      { ipc: true },
    ),
  );
  const queue = new Bull(QUEUE_NAME, REDIS_URL, { prefix: PREFIX });
  try {
    await waitUntil(
      `${count} worker process(es) to take jobs`,
      async () => (await queue.getWorkers()).length >= count,
      children,
      workers,
    );
  } finally {
    await queue.close();
  }
  return workers;
}

type Call = [provider: string, at: number, leads: number];

function collectCalls(worker: Child): Promise<Call[]> {
  return new Promise((resolveCalls, reject) => {
    const timer = setTimeout(() => reject(new Error(`${worker.name} did not report its provider calls`)), 5000);
    const onMessage = (message: { type?: string; calls?: Call[] }) => {
      if (message?.type !== 'bench:calls') return;
      clearTimeout(timer);
      worker.proc.off('message', onMessage);
      resolveCalls(message.calls ?? []);
    };
    worker.proc.on('message', onMessage);
    worker.proc.send('bench:calls');
  });
}

// ---------------------------------------------------------------------------------------------
// Request plans: every request creates new enrichments (fresh leads or a fresh org).

/** Request i is org `orgs[i]`'s and takes the i-th window of `size` leads: no lead twice per org in a run. */
function pipelinePlan(orgs: string[], size: number, people: number): () => PlannedRequest {
  let turn = 0;
  return () => {
    const i = turn++;
    return {
      token: token(orgs[i]),
      body: JSON.stringify({
        selection: {
          mode: 'bulk',
          startIndex: (i * size) % Math.max(1, people - size + 1),
          targetCount: size,
          filters: {},
        },
        field: 'emails',
      }),
      expectItems: size,
    };
  };
}

/** Bulk requests one side sends before the other takes its turn (see the bulk phase). */
const BULK_TURN = 10;

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/** Percentiles (nearest rank) of response times, in whole ms as autocannon reports them. */
function latencyStats(values: readonly number[]): LatencyStats {
  const all = sorted(values);
  const at = (q: number) => Math.round(all[Math.min(all.length - 1, Math.max(0, Math.ceil(q * all.length) - 1))]);
  return { requests: all.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

/** Turns a side takes in manual mode (see the manual phase). */
const MANUAL_TURNS = 3;

/** One side's load runs as one: their requests and seconds added up, percentiles of all their response times. */
function combined(runs: readonly LoadResult[]): LoadResult {
  const requests = runs.reduce((total, run) => total + run.requests, 0);
  const durationS = runs.reduce((total, run) => total + run.durationS, 0);
  const latencies = sorted(runs.flatMap((run) => run.latencies));
  const { p50, p90, p99, max } = latencyStats(latencies);
  return { requests, durationS, rps: requests / durationS, p50, p90, p99, max, latencies };
}

/** A manual load run with what it cost its server: see `measuredLoad`. */
interface MeasuredLoad {
  run: LoadResult;
  /** The server's peak RSS during the run, sampled every 100 ms. */
  rssMb: number;
  /** CPU µs a request of the server process and of its database's backends. */
  appUs: number;
  dbUs: number;
}

/**
 * One load run against a server, with its peak RSS and the CPU time per request of the server and
 * of its database's backends: on a busy machine far steadier than throughput, which depends on
 * what share of the cores each one got.
 */
async function measuredLoad(child: Child, db: Client, options: LoadOptions): Promise<MeasuredLoad> {
  let rssMb = 0;
  const sampler = setInterval(() => {
    void memoryOf(child.pid).then((m) => {
      if (m) rssMb = Math.max(rssMb, m.rssMb);
    });
  }, 100);
  try {
    const [appBefore, dbBefore] = [await cpuSecondsOf(child.pid), await backendCpu(db)];
    const run = await runLoad(options);
    const [appAfter, dbSeconds] = [await cpuSecondsOf(child.pid), backendCpuSpent(dbBefore, await backendCpu(db))];
    return {
      run,
      rssMb,
      appUs: (((appAfter ?? 0) - (appBefore ?? 0)) * 1e6) / run.requests,
      dbUs: (dbSeconds * 1e6) / run.requests,
    };
  } finally {
    clearInterval(sampler);
  }
}

const orgsOf = (phase: string, count: number) => Array.from({ length: count }, (_, i) => `bench-${phase}-${i}`);

const stats = (r: LoadResult): LatencyStats => ({
  requests: r.requests,
  p50: r.p50,
  p90: r.p90,
  p99: r.p99,
  max: r.max,
});

// ---------------------------------------------------------------------------------------------

/** Pending and processing enrichments, through the partial index that holds only them. */
async function countOpen(db: Client): Promise<number> {
  const { rows } = await db.query<{ open: number }>(
    "SELECT count(*)::int AS open FROM enrichment WHERE status IN ('pending', 'processing')",
  );
  return rows[0].open;
}

async function countStatuses(db: Client): Promise<{ finished: number; failed: number; total: number }> {
  const { rows } = await db.query<{ finished: number; failed: number; total: number }>(
    `SELECT count(*) FILTER (WHERE status = 'finished')::int AS finished,
            count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*)::int AS total FROM enrichment`,
  );
  return rows[0];
}

/**
 * Flushes dirty pages (CHECKPOINT is server-wide) so that one run's writes are not paid for
 * by the next run's measurements, whichever side that is.
 */
async function settle(db: Client): Promise<void> {
  await db.query('CHECKPOINT');
}

async function pipelineRun(db: Client, servers: Servers, workerCount: number, tag = ''): Promise<PipelineRun> {
  await resetActivity(db);
  await settle(db);
  await flushPrefix(REDIS_URL, PREFIX);
  const orgs = orgsOf(`pipe${workerCount}${tag}`, S.pipelineOrgs);
  await grantCredits(db, orgs, CREDITS_PER_ORG);
  const workers = await startWorkers(workerCount, {});
  const expected = S.pipelineOrgs * S.pipelineLeadsPerOrg;
  try {
    const cpuBefore = { workers: await cpuSecondsOfAll(workers), db: await backendCpu(db) };
    const start = Date.now();
    await runLoad({
      url: servers.apiUrl,
      connections: Math.min(2, orgs.length),
      amount: orgs.length,
      next: pipelinePlan(orgs, S.pipelineLeadsPerOrg, S.people),
    });
    // Every request has been answered, so every row exists: the run is over when none is open.
    // The poll competes for the same cores as what it measures, so it reads only the open rows
    // (their partial index) and looks often only near the end: a count of the whole table every
    // 25 ms cost the database a sixth of a core.
    const deadline = start + 300_000;
    let open = await countOpen(db);
    while (open > 0) {
      children.assertAlive(...workers, servers.api);
      if (Date.now() > deadline) throw new Error(`pipeline stuck with ${open} of ${expected} enrichments open`);
      await delay(open > 2_000 ? 200 : 20);
      open = await countOpen(db);
    }
    const seconds = (Date.now() - start) / 1000;
    const counts = await countStatuses(db);
    if (counts.total !== expected) throw new Error(`pipeline made ${counts.total} enrichments, not ${expected}`);
    if (counts.failed > 0) throw new Error(`${counts.failed} enrichments failed in the pipeline run`);
    const { rows } = await db.query<{ span: number }>(
      'SELECT extract(epoch FROM max(updated_at) - min(created_at))::float8 AS span FROM enrichment',
    );
    const dbSeconds = backendCpuSpent(cpuBefore.db, await backendCpu(db));
    return {
      workers: workerCount,
      enrichments: expected,
      seconds,
      perSecond: expected / seconds,
      dbSpanSeconds: rows[0].span,
      workerCpuPer1000: (((await cpuSecondsOfAll(workers)) - cpuBefore.workers) * 1000) / expected,
      dbCpuPer1000: (dbSeconds * 1000) / expected,
    };
  } finally {
    await Promise.all(workers.map((w) => children.stop(w)));
  }
}

/** Most calls in any span of `windowMs` (two pointers over the sorted times). */
function maxSliding(times: number[], windowMs: number): number {
  let best = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while (times[last] - times[first] >= windowMs) first += 1;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

/** Most calls in one of the limiter's windows: each opens at the first call after the previous one closed. */
function maxFixed(times: number[], windowMs: number): number {
  let best = 0;
  let i = 0;
  while (i < times.length) {
    const end = times[i] + windowMs;
    let j = i;
    while (j < times.length && times[j] < end) j += 1;
    best = Math.max(best, j - i);
    i = j;
  }
  return best;
}

async function rateLimitRun(db: Client, servers: Servers): Promise<Results['rateLimit']> {
  await resetActivity(db);
  await flushPrefix(REDIS_URL, PREFIX);
  await settle(db);
  const orgs = orgsOf('ratelimit', S.rlOrgs);
  await grantCredits(db, orgs, CREDITS_PER_ORG);
  const workers = await startWorkers(2, {
    PROVIDER_RATE_LIMIT: String(S.rlLimit),
    PROVIDER_RATE_WINDOW_MS: String(S.rlWindowMs),
    // Enough jobs waiting on each provider that the limiter, not the workers, sets the pace:
    // a sliding window admits a call only as an old one leaves it, so demand must never pause.
    WORKER_CONCURRENCY: '16',
  });
  const expected = S.rlOrgs * S.rlLeadsPerOrg;
  try {
    // Each org's leads in requests of rlRequestLeads (200: four jobs of 50, as the API cuts them),
    // so that every job asks each provider once (a simulated call takes up to 100 leads): the
    // second provider's calls follow the first's at once and are as many. A 1,000-lead request is
    // four jobs of 250 that ask the first provider three times before the second once, and the
    // second, fed only the first's misses, would start late and be asked too little.
    const requests = Array.from(
      { length: S.rlOrgs * (S.rlLeadsPerOrg / S.rlRequestLeads) },
      (_, i) => orgs[i % S.rlOrgs],
    );
    await runLoad({
      url: servers.apiUrl,
      connections: Math.min(2, orgs.length),
      amount: requests.length,
      next: pipelinePlan(requests, S.rlRequestLeads, S.people),
    });
    // Wait for the measured span to pass after the first call, then note whether work was left.
    const recorded: Call[] = [];
    let first: number | null = null;
    const deadline = Date.now() + 60_000;
    while (first === null) {
      recorded.push(...(await Promise.all(workers.map(collectCalls))).flat());
      if (recorded.length > 0) first = Math.min(...recorded.map(([, at]) => at));
      else if (Date.now() > deadline) throw new Error('no provider call was made');
      else await delay(50);
    }
    const spanMs = S.rlWindows * S.rlWindowMs;
    // The slowest provider starts later than the first: measure every one over its own span.
    await delay(Math.max(0, first + spanMs + S.rlWindowMs - Date.now()));
    const counts = await countStatuses(db);
    const stillWorking = counts.finished + counts.failed < expected;
    const calls = [...recorded, ...(await Promise.all(workers.map(collectCalls))).flat()];
    const byProvider = new Map<string, number[]>();
    for (const [provider, at] of calls) byProvider.set(provider, [...(byProvider.get(provider) ?? []), at]);
    const providers: Record<string, ProviderAdherence> = {};
    for (const [provider, unsorted] of byProvider) {
      const times = unsorted.sort((a, b) => a - b);
      const measuredCalls = times.filter((t) => t < times[0] + spanMs).length;
      providers[provider] = {
        calls: times.length,
        measuredCalls,
        windows: S.rlWindows,
        adherence: measuredCalls / (S.rlWindows * S.rlLimit),
        maxSlidingWindow: maxSliding(times, S.rlWindowMs),
        maxFixedWindow: maxFixed(times, S.rlWindowMs),
        saturated: stillWorking && times[times.length - 1] >= times[0] + spanMs,
      };
    }
    const all = Object.values(providers);
    return {
      limit: S.rlLimit,
      windowMs: S.rlWindowMs,
      workers: 2,
      providers,
      adherence: all.length ? Math.min(...all.map((p) => p.adherence)) : 0,
      maxInAnyWindow: all.length ? Math.max(...all.map((p) => p.maxSlidingWindow)) : 0,
    };
  } finally {
    await Promise.all(workers.map((w) => children.stop(w)));
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = Date.now();
  log(
    `${flags.smoke ? 'SMOKE run' : 'full run'}: databases enrichment_${NAME}{,_floor}, Redis prefix ${PREFIX}, output ${OUT}`,
  );
  ensureBuilt();
  if (!existsSync(PROBE_TARGET)) throw new Error(`${PROBE_TARGET} is missing: the build has no simulated provider`);

  log(`preparing databases (migrations + ${S.people} people)`);
  await Promise.all([prepareDatabase(SERVICE_DB, S.people), prepareDatabase(FLOOR_DB, S.people)]);
  await flushPrefix(REDIS_URL, PREFIX);
  const svcDb = new Client({ connectionString: SERVICE_DB });
  const floorDb = new Client({ connectionString: FLOOR_DB });
  // On Ctrl-C the clean-up ends every session on the bench databases, these two included.
  for (const db of [svcDb, floorDb]) db.on('error', () => undefined);
  await Promise.all([svcDb.connect(), floorDb.connect()]);
  try {
    if (flags.quick) await quickMeasure(svcDb, floorDb);
    else if (flags.pipeline) await pipelineMeasure(svcDb);
    else await measure(svcDb, floorDb, startedAt);
  } finally {
    await Promise.all([svcDb.end(), floorDb.end()]);
  }
}

/**
 * --quick: the request-path measures only, repeated and interleaved (service, floor, service,
 * ...) so that a busy machine's drift shows as spread between rounds rather than as a ratio.
 */
async function quickMeasure(svcDb: Client, floorDb: Client): Promise<void> {
  const ids = await leadIds(svcDb);
  const rounds = Math.max(1, Number(flags.rounds));
  const manualOrgs = orgsOf('manual', S.manualOrgs);
  const warmOrgs = orgsOf('warm', 8);
  const bulkOrgs = orgsOf('bulk1000', rounds * 2 * 25);
  for (const db of [svcDb, floorDb]) await grantCredits(db, [...manualOrgs, ...warmOrgs, ...bulkOrgs], CREDITS_PER_ORG);
  const { both } = await startWarmedServers(warmOrgs, ids);
  const bulkPlans = {
    service: bulkPlan(bulkOrgs.slice(0, rounds * 25), 1000, S.people),
    floor: bulkPlan(bulkOrgs.slice(rounds * 25), 1000, S.people),
  };
  const manualPlans = { service: manualPlan(manualOrgs, ids), floor: manualPlan(manualOrgs, ids) };
  const lines: string[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const result: Record<
      string,
      { rps: number; p50: number; p99: number; bulkP50: number; rssMb: number; appUs: number; dbUs: number }
    > = {};
    for (const { side, url, child } of both) {
      const db = side === 'service' ? svcDb : floorDb;
      await settle(svcDb);
      await runLoad({ url, connections: 1, amount: 3, next: bulkPlans[side] });
      const bulk = await runLoad({ url, connections: 1, amount: 22, next: bulkPlans[side] });
      const { run: manual, ...cost } = await measuredLoad(child, db, {
        url,
        connections: S.manualConnections,
        duration: 10,
        next: manualPlans[side],
      });
      result[side] = { rps: manual.rps, p50: manual.p50, p99: manual.p99, bulkP50: bulk.p50, ...cost };
    }
    const [svc, floor] = [result.service, result.floor];
    const line =
      `round ${round}: manual ${Math.round(svc.rps)} vs ${Math.round(floor.rps)} req/s = ${round2(svc.rps / floor.rps)}×, ` +
      `p99 ${svc.p99} vs ${floor.p99} ms = ${round2(svc.p99 / floor.p99)}×, p50 ${svc.p50} vs ${floor.p50} ms; ` +
      `bulk-1000 p50 ${svc.bulkP50} vs ${floor.bulkP50} ms = ${round2(svc.bulkP50 / floor.bulkP50)}×; ` +
      `API RSS ${Math.round(svc.rssMb)} MB; CPU µs/request: server ${Math.round(svc.appUs)} vs ${Math.round(floor.appUs)}, ` +
      `PostgreSQL ${Math.round(svc.dbUs)} vs ${Math.round(floor.dbUs)}`;
    log(line);
    lines.push(line);
  }
  console.log(`\n${lines.join('\n')}\n`);
}

/**
 * --pipeline [--rounds N]: the pipeline phase only, N rounds with one and two worker processes,
 * with the CPU seconds the workers and the database's backends spent per 1,000 enrichments.
 */
async function pipelineMeasure(svcDb: Client): Promise<void> {
  log('starting the API (RUN_WORKERS=false)');
  const servers = await startServers();
  const lines: string[] = [];
  for (let round = 1; round <= Math.max(1, Number(flags.rounds)); round += 1) {
    for (const workerCount of [1, 2]) {
      const run = await pipelineRun(svcDb, servers, workerCount, `r${round}`);
      const line =
        `round ${round}, ${workerCount} worker process(es): ${Math.round(run.perSecond)} enrichments/s; ` +
        `CPU s per 1,000: workers ${round2(run.workerCpuPer1000 ?? 0)}, PostgreSQL ${round2(run.dbCpuPer1000 ?? 0)}`;
      log(line);
      lines.push(line);
    }
  }
  console.log(`\n${lines.join('\n')}\n`);
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** CPU seconds so far of these processes together. */
async function cpuSecondsOfAll(processes: readonly Child[]): Promise<number> {
  let total = 0;
  for (const child of processes) total += (await cpuSecondsOf(child.pid)) ?? 0;
  return total;
}

async function measure(svcDb: Client, floorDb: Client, startedAt: number): Promise<void> {
  const ids = await leadIds(svcDb);

  const manualOrgs = orgsOf('manual', S.manualOrgs);
  const warmOrgs = orgsOf('warm', 8);
  const bulkOrgs = Object.fromEntries(
    S.bulkSizes.map((size) => [size, orgsOf(`bulk${size}`, S.bulkRequests[size] + S.bulkWarmup)]),
  );
  for (const db of [svcDb, floorDb]) {
    await grantCredits(db, [...manualOrgs, ...warmOrgs, ...Object.values(bulkOrgs).flat()], CREDITS_PER_ORG);
  }

  const { servers, both } = await startWarmedServers(warmOrgs, ids);
  /** The order the sides go in, in the bulk and manual phases' turns: the first side alternates. */
  const sidesInTurn = (turn: number) => (turn % 2 === 0 ? both : [...both].reverse());

  // (a) + (f) bulk latency by size, one request at a time, a fresh org per request. The two sides
  // take turns in rounds of BULK_TURN requests (the first side alternating), so that a busy
  // machine's drift over the phase falls on both alike: measured as two blocks one after the
  // other, the same build's bulk-1000 ratio ranged 1.17–1.47× between runs on one VM.
  const bulk: Record<string, { service: LatencyStats; floor: LatencyStats }> = {};
  const chart: ChartData = { bulk1000: { service: [], floor: [] }, manual: { service: [], floor: [] } };
  for (const size of S.bulkSizes) {
    log(`bulk mode: ${size} leads × ${S.bulkRequests[size]} requests a side, in turns of ${BULK_TURN}`);
    const plans = {
      service: bulkPlan(bulkOrgs[size], size, S.people),
      floor: bulkPlan(bulkOrgs[size], size, S.people),
    };
    const runs: Record<'service' | 'floor', LoadResult[]> = { service: [], floor: [] };
    await settle(svcDb);
    for (const { side, url } of both) await runLoad({ url, connections: 1, amount: S.bulkWarmup, next: plans[side] });
    for (let done = 0, turn = 0; done < S.bulkRequests[size]; done += BULK_TURN, turn += 1) {
      const amount = Math.min(BULK_TURN, S.bulkRequests[size] - done);
      for (const { side, url } of sidesInTurn(turn)) {
        runs[side].push(await runLoad({ url, connections: 1, amount, next: plans[side] }));
      }
    }
    const merged = { service: combined(runs.service), floor: combined(runs.floor) };
    bulk[String(size)] = { service: stats(merged.service), floor: stats(merged.floor) };
    if (size === 1000) chart.bulk1000 = { service: merged.service.latencies, floor: merged.floor.latencies };
  }

  // (b) + (e) manual mode, and the API's memory under it. Each side first warms up again on
  // manual requests: right after the bulk phase, the first 5 s cost the API 2,405–2,453 µs of CPU a
  // request against 1,624–1,832 µs after, and the floor 850–1,053 µs against 736–866 (a garbage
  // collector and JIT with a minute of bulk requests behind them). Then the same 15 s a side, in
  // MANUAL_TURNS turns with the first side alternating, as in the bulk phase: measured as one
  // block after the other, the same build's manual ratio ranged 0.59–0.74× between full runs.
  const manualRuns: Record<'service' | 'floor', LoadResult[]> = { service: [], floor: [] };
  const peakRss: Record<'service' | 'floor', number> = { service: 0, floor: 0 };
  const manualPlans = { service: manualPlan(manualOrgs, ids), floor: manualPlan(manualOrgs, ids) };
  log(
    `manual mode: ${S.manualConnections} clients, ${S.manualWarmupS} s warm-up, then ${S.manualDurationS} s a side ` +
      `in ${MANUAL_TURNS} turns, first side alternating`,
  );
  for (const { side, url } of both) {
    await runLoad({ url, connections: S.manualConnections, duration: S.manualWarmupS, next: manualPlans[side] });
  }
  for (let turn = 0; turn < MANUAL_TURNS; turn += 1) {
    for (const { side, url, child } of sidesInTurn(turn)) {
      const db = side === 'service' ? svcDb : floorDb;
      await settle(svcDb);
      const { run, rssMb, appUs, dbUs } = await measuredLoad(child, db, {
        url,
        connections: S.manualConnections,
        duration: S.manualDurationS / MANUAL_TURNS,
        next: manualPlans[side],
      });
      manualRuns[side].push(run);
      peakRss[side] = Math.max(peakRss[side], rssMb);
      log(
        `  ${side}, turn ${turn + 1}: ${Math.round(run.rps)} requests/s, p50 ${run.p50} ms, p99 ${run.p99} ms; ` +
          `CPU µs a request: server ${Math.round(appUs)}, PostgreSQL ${Math.round(dbUs)}`,
      );
    }
  }
  const manual = { service: combined(manualRuns.service), floor: combined(manualRuns.floor) };
  const apiMemory = await memoryOf(servers.api.pid);

  // (c) pipeline with one and two worker processes, (d) rate-limit adherence.
  const pipeline: PipelineRun[] = [];
  for (const workerCount of [1, 2]) {
    log(`pipeline: ${workerCount} worker process(es), ${S.pipelineOrgs * S.pipelineLeadsPerOrg} enrichments`);
    pipeline.push(await pipelineRun(svcDb, servers, workerCount));
  }
  log(`rate limit: ${S.rlLimit} calls / ${S.rlWindowMs} ms per provider, 2 worker processes`);
  const rateLimit = await rateLimitRun(svcDb, servers);

  const environment = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    postgres: (await svcDb.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v,
    commit: gitCommit(),
  };

  chart.manual.service = manual.service.latencies;
  chart.manual.floor = manual.floor.latencies;
  const toThroughput = (r: LoadResult) => ({ ...stats(r), rps: r.rps, durationS: r.durationS });
  const scalingService = S.bulkSizes.map((n) => bulk[String(n)].service.p50);
  const scalingFloor = S.bulkSizes.map((n) => bulk[String(n)].floor.p50);
  const partial: Omit<Results, 'targets'> = {
    generatedAt: new Date().toISOString(),
    smoke: flags.smoke ?? false,
    environment,
    settings: {
      ...Object.fromEntries(Object.entries(S).filter(([, v]) => typeof v === 'number')),
      bulkRequests: JSON.stringify(S.bulkRequests),
      loadClient: 'autocannon 8 (programmatic)',
      bulkConnections: 1,
    },
    bulk,
    manual: {
      connections: S.manualConnections,
      orgs: S.manualOrgs,
      service: toThroughput(manual.service),
      floor: toThroughput(manual.floor),
    },
    memory: {
      apiPeakRssMb: peakRss.service,
      apiVmHwmMb: apiMemory?.hwmMb ?? Number.NaN,
      floorPeakRssMb: peakRss.floor,
    },
    pipeline,
    rateLimit,
    scaling: {
      leads: S.bulkSizes,
      serviceP50: scalingService,
      floorP50: scalingFloor,
      serviceLinearity: linearity(S.bulkSizes, scalingService),
      floorLinearity: linearity(S.bulkSizes, scalingFloor),
    },
  };
  const results: Results = { ...partial, targets: evaluateTargets(partial) };

  mkdirSync(OUT, { recursive: true });
  // Formatted as the repository's prettier would, so the committed results pass `prettier --check`.
  const table = await format(markdown(results), { parser: 'markdown', printWidth: 120 });
  writeFileSync(join(OUT, 'results.json'), await format(JSON.stringify(results), { parser: 'json', printWidth: 120 }));
  writeFileSync(join(OUT, 'results.md'), `${table}\n![latency and scaling](latency.svg)\n`);
  writeFileSync(join(OUT, 'latency.svg'), svgChart(results, chart));
  console.log(`\n${table}\n`);
  log(`wrote results.json, results.md and latency.svg to ${OUT} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

async function cleanUp(): Promise<void> {
  await children.stopAll();
  await flushPrefix(REDIS_URL, PREFIX).catch(() => undefined);
  // Whatever a killed child left open on the bench databases (the databases stay, for inspection).
  await Promise.all([SERVICE_DB, FLOOR_DB].map((url) => terminateConnections(url).catch(() => undefined)));
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping what the bench started`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(cleanUp)
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    console.error(`What the bench's children last wrote:\n${children.tails()}`);
    await cleanUp();
    process.exitCode = 1;
  });
