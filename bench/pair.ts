/**
 * `npm run bench:pair -- --against <checkout>`: the API's CPU per manual request (or, with
 * `--bulk <size>`, per bulk request of that many leads, one at a time) of this checkout's build
 * against another checkout's build (its `npm run build` done), both serving at the same time, on
 * one database, at the same fixed rate. For changes worth 5–10 %: on a shared
 * VM the CPU a request costs drifts by far more than that within minutes (the same build measured
 * 1,550 µs and 3,300 µs an hour apart), so builds measured one after the other cannot be told
 * apart, while two measured in the same seconds share the drift. `--against .` measures the
 * harness's own spread (this build against itself).
 *
 * Flags: --against <dir> (required), --rounds N (default 6), --rate R (requests/s each, default
 * 150: under saturation, so both serve the same load; 4 with --bulk), --duration S (seconds a
 * round, default 10), --bulk <size> (bulk requests of `size` leads, a fresh org each, one
 * connection a side, instead of manual ones).
 * Prints each round's CPU per request, the API's and its PostgreSQL backends' (each side's
 * connections carry their own application name), and the ratios this ÷ against; nothing is written.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { Child, Children, cpuSecondsOf, freePort, waitUntil } from './lib/children';
import { backendCpu, backendCpuSpent, flushPrefix, grantCredits, leadIds, prepareDatabase } from './lib/database';
import { PlannedRequest, runLoad } from './lib/load';
import { bulkPlan, JWT_SECRET, manualPlan } from './lib/plans';

const ROOT = resolve(__dirname, '..');
const API_MAIN = 'dist/apps/api/apps/api/src/main.js';
const DB = `${process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432'}/enrichment_bench_pair`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PEOPLE = 20_000;
const ORGS = 50;
const CONNECTIONS = 16;
const WARMUP_S = 20;

const { values: flags } = parseArgs({
  options: {
    against: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    rate: { type: 'string' },
    duration: { type: 'string', default: '10' },
    bulk: { type: 'string' },
  },
});
const BULK_SIZE = flags.bulk === undefined ? null : Number(flags.bulk);

interface Side {
  name: string;
  child: Child;
  url: string;
  next: () => PlannedRequest;
}

const children = new Children();
/** A side's name for its connections (their application name) and its Redis prefix. */
const sideName = (index: number) => `bench-pair-${index}`;
const log = (message: string) => console.log(`[pair ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function startSide(name: string, checkout: string, index: number, next: () => PlannedRequest): Promise<Side> {
  const main = join(checkout, API_MAIN);
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` in ${checkout}`);
  const port = await freePort();
  const child = children.start(name, ['--max-old-space-size=1536', main], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // Its backends are told apart from the other side's by their application name.
    DATABASE_URL: `${DB}?application_name=${sideName(index)}`,
    REDIS_URL,
    QUEUE_PREFIX: sideName(index),
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    RUN_WORKERS: 'false',
    PORT: String(port),
    // As in `npm run bench`: the per-org limiter runs but never binds; no lead comes from the global cache.
    RATE_LIMIT: '1000000',
    RATE_LIMIT_ANON: '1000000',
    METRICS_TOKEN: 'bench-metrics-token-0123456789',
    GLOBAL_CACHE_FRESHNESS_DAYS: '0',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`${name} to answer`, async () => (await fetch(`${url}/health`)).ok, children, [child]);
  return { name, child, url, next };
}

interface RoundCost {
  /** The API's CPU µs per request. */
  api: number;
  /** Its PostgreSQL backends' CPU µs per request. */
  db: number;
}

/** One round: both sides under the same fixed load at once; API and database CPU µs per request of each. */
async function round(db: Client, sides: Side[], durationS: number, rate: number): Promise<RoundCost[]> {
  const before = await Promise.all(sides.map((side) => cpuSecondsOf(side.child.pid)));
  const dbBefore = await Promise.all(sides.map((_, i) => backendCpu(db, sideName(i))));
  // Bulk requests one at a time, as `npm run bench` sends them.
  const connections = BULK_SIZE === null ? CONNECTIONS : 1;
  const loads = await Promise.all(
    sides.map((side) => runLoad({ url: side.url, connections, duration: durationS, rate, next: side.next })),
  );
  const after = await Promise.all(sides.map((side) => cpuSecondsOf(side.child.pid)));
  const dbAfter = await Promise.all(sides.map((_, i) => backendCpu(db, sideName(i))));
  children.assertAlive(...sides.map((side) => side.child));
  return sides.map((_, i) => ({
    api: (((after[i] ?? NaN) - (before[i] ?? NaN)) * 1e6) / loads[i].requests,
    db: (backendCpuSpent(dbBefore[i], dbAfter[i]) * 1e6) / loads[i].requests,
  }));
}

async function main(): Promise<void> {
  if (!flags.against) throw new Error('--against <checkout> is required (a directory with a build)');
  const rounds = Number(flags.rounds);
  const rate = Number(flags.rate ?? (BULK_SIZE === null ? 150 : 4));
  const durationS = Number(flags.duration);
  log(`preparing the database (${PEOPLE.toLocaleString('en')} people)`);
  await prepareDatabase(DB, PEOPLE);
  // A bulk request takes a fresh org (all its leads new): enough for every request of the run, with room.
  const orgCount = BULK_SIZE === null ? ORGS : 2 * Math.ceil((WARMUP_S + rounds * durationS) * rate * 1.5) + 20;
  const orgs = Array.from({ length: orgCount }, (_, i) => `bench-pair-org-${i}`);
  const db = new Client({ connectionString: DB });
  await db.connect();
  try {
    await grantCredits(db, orgs, 50_000_000);
    const ids = await leadIds(db);
    // Each side its own orgs (no account lock shared across sides), and for manual requests its own start in the leads.
    const orgsOf = (index: number) => orgs.filter((_, i) => i % 2 === index);
    const planFor = (index: number) =>
      BULK_SIZE === null ? manualPlan(orgsOf(index), ids, index * 10_007) : bulkPlan(orgsOf(index), BULK_SIZE, PEOPLE);
    for (const index of [0, 1]) await flushPrefix(REDIS_URL, sideName(index));
    const sides = [
      await startSide('this', ROOT, 0, planFor(0)),
      await startSide('against', resolve(flags.against), 1, planFor(1)),
    ];
    log(`warming up both for ${WARMUP_S} s at ${rate} requests/s each`);
    await round(db, sides, WARMUP_S, rate);
    const ratios: { api: number; db: number }[] = [];
    for (let r = 1; r <= rounds; r++) {
      const [mine, theirs] = await round(db, sides, durationS, rate);
      ratios.push({ api: mine.api / theirs.api, db: mine.db / theirs.db });
      log(
        `round ${r}: API this ${mine.api.toFixed(0)} µs, against ${theirs.api.toFixed(0)} µs per request: ` +
          `${(mine.api / theirs.api).toFixed(3)}; PostgreSQL ${mine.db.toFixed(0)} vs ${theirs.db.toFixed(0)} µs: ` +
          `${(mine.db / theirs.db).toFixed(3)}`,
      );
    }
    const summary = (of: 'api' | 'db') => {
      const values = ratios.map((ratio) => ratio[of]);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      return `mean ${mean.toFixed(3)} (${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)} over ${rounds} rounds)`;
    };
    const unit = BULK_SIZE === null ? 'manual request' : `bulk request of ${BULK_SIZE} leads`;
    log(`this ÷ against, API CPU per ${unit}: ${summary('api')}`);
    log(`this ÷ against, PostgreSQL CPU per ${unit}: ${summary('db')}`);
  } finally {
    await db.end();
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(children.tails());
    process.exitCode = 1;
  })
  .finally(() => children.stopAll());
