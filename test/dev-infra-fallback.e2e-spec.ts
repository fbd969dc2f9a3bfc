import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { isReachable } from '../libs/core/src/dev-infra/reachability';
import { CONTRACT_EXAMPLE_LEAD_IDS } from '../libs/leads/src';
import { waitFor } from './support/test-app';

const ROOT = join(__dirname, '..');
const MIGRATIONS_DIR = join(ROOT, 'libs', 'core', 'src', 'database', 'migrations');
const UNREACHABLE_POSTGRES = 'postgres://postgres@127.0.0.1:1/enrichment';
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

/** Start-up on a busy 2-core CI machine (PGlite boot, migrations, seed, Nest): a generous deadline for a state. */
const START_DEADLINE_MS = 150_000;
const SWEEP_INTERVAL_MS = 1000;
const SWEEP_DONE = /"context":"PeriodicTask:(enrichment-recovery|webhook-sweep)","msg":"Pass done/g;

interface Started {
  port: number;
  postgresUrl: string;
  redisUrl: string;
  memberToken: string;
}

/**
 * `npm start` on a machine with neither PostgreSQL nor Redis reachable: the app (in a child
 * process, as `main.ts --seed`) must run on an embedded PGlite and a redis-server it starts,
 * migrate and seed them, serve real enrichments, and stop both when it exits.
 */
describe('npm start without PostgreSQL and Redis: the embedded fallback', () => {
  let dataDir: string;
  let child: ChildProcess;
  let output = '';
  let started: Started;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'enrichment-fallback-'));
    child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts', '--seed'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          EMBEDDED_FALLBACK: 'true',
          EMBEDDED_DATA_DIR: dataDir,
          DATABASE_URL: UNREACHABLE_POSTGRES,
          REDIS_URL: UNREACHABLE_REDIS,
          PORT: '0',
          SEED_PEOPLE: '200',
          RECOVERY_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
          // Debug: each sweep pass logs "Pass done", which the sweep test counts.
          LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}):\n${output}`);
      return /API +http:\/\/127\.0\.0\.1:(\d+)\/api\/v1/.exec(output)?.[1];
    }, START_DEADLINE_MS);
    started = {
      port: Number(port),
      postgresUrl: /embedded PGlite at (\S+)/.exec(output)?.[1] ?? '',
      redisUrl: /redis-server at (\S+)/.exec(output)?.[1] ?? '',
      memberToken: /MEMBER_TOKEN=(\S+)/.exec(output)?.[1] ?? '',
    };
  }, START_DEADLINE_MS + 10_000);

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const api = () => request(`http://127.0.0.1:${started.port}`);

  it('says which it used: embedded PostgreSQL and a started redis-server, on loopback ports', () => {
    expect(output).toContain('PostgreSQL: nothing answers at postgres://127.0.0.1:1/enrichment; embedded PGlite at');
    expect(output).toContain(`data in ${join(dataDir, 'pglite')}`);
    expect(output).toMatch(/Redis: nothing answers at redis:\/\/127\.0\.0\.1:1; started \S*redis-server at/);
    expect(started.postgresUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(started.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toContain('People: 200 (200 new)');
  });

  it('applied every migration on PGlite, with its trigger, GIN index and partial unique indexes working', async () => {
    const expected = readdirSync(MIGRATIONS_DIR)
      .map((file) => /^(\d+)-(\w+)\.ts$/.exec(file))
      .filter((match): match is RegExpExecArray => match !== null)
      .map(([, timestamp, name]) => `${name}${timestamp}`)
      .sort();
    const client = new Client({ connectionString: started.postgresUrl });
    await client.connect();
    try {
      const { rows: applied } = await client.query<{ name: string }>('SELECT name FROM migrations ORDER BY name');
      expect(applied.map((row) => row.name).sort()).toEqual(expected);
      const { rows: indexes } = await client.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'IDX_person_skills'`,
      );
      expect(indexes[0].indexdef).toContain('USING gin');
      // The seed's grant is in the ledger: the trigger refuses to rewrite it...
      await expect(client.query('UPDATE credit_transaction SET amount = amount')).rejects.toThrow(
        'credit_transaction is append-only',
      );
      // ...and the partial unique index refuses the same grant reference twice.
      await expect(
        client.query(
          `INSERT INTO credit_transaction (org_id, type, amount, reference_id) VALUES ('org_demo', 'credit_added', 1, 'seed:demo')`,
        ),
      ).rejects.toThrow('UQ_credit_transaction_grant_reference');
    } finally {
      await client.end();
    }
  });

  it('serves an enrichment end to end: 201, queued on the started Redis, processed to finished', async () => {
    const ids = CONTRACT_EXAMPLE_LEAD_IDS.slice(0, 2);
    const auth = `Bearer ${started.memberToken}`;
    const created = await api()
      .post('/api/v1/operations/enrichment/bulk')
      .set('Authorization', auth)
      .send({ selection: { mode: 'manual', includedIds: ids }, field: 'emails' });
    expect(created.status).toBe(201);
    expect(created.body.map((e: { entityId: string }) => e.entityId)).toEqual(ids);
    const finished = await waitFor(async () => {
      const polled = await api()
        .post('/api/v1/operations/enrichment/batch/query')
        .set('Authorization', auth)
        .send({ tasks: ids.map((entityId) => ({ entityId, field: 'emails' })) });
      const statuses = (polled.body as { status: string }[]).map((e) => e.status);
      return statuses.length === 2 && statuses.every((status) => status === 'finished') && statuses;
    });
    expect(finished).toEqual(['finished', 'finished']);
  });

  // A sweep used to hold PGlite's one session in a transaction while its own queries queued
  // behind it: from the first sweep on, every database call waited forever.
  it('keeps serving through five sweeps of each kind (RECOVERY_SWEEP_INTERVAL_MS=1000)', async () => {
    const auth = `Bearer ${started.memberToken}`;
    const passes = (task: string) => [...output.matchAll(SWEEP_DONE)].filter((match) => match[1] === task).length;
    const before = { recovery: passes('enrichment-recovery'), webhooks: passes('webhook-sweep') };
    let requests = 0;
    await waitFor(
      async () => {
        const ready = await api().get('/health/ready').timeout(5000);
        expect(ready.status).toBe(200);
        const balance = await api().get('/api/v1/operations/credits/balance').set('Authorization', auth).timeout(5000);
        expect(balance.status).toBe(200);
        requests += 2;
        return passes('enrichment-recovery') >= before.recovery + 5 && passes('webhook-sweep') >= before.webhooks + 5;
      },
      30 * SWEEP_INTERVAL_MS + 30_000,
    );
    expect(requests).toBeGreaterThanOrEqual(10);
    expect(output).not.toContain('Pass failed');
  });

  describe('the wire-protocol server shares PGlite between the connections of a pool', () => {
    let pool: Pool;
    beforeAll(() => {
      pool = new Pool({ connectionString: started.postgresUrl, max: 6 });
    });
    afterAll(() => pool.end());

    // pglite-socket's own multiplexer lets another connection's Parse replace the unnamed
    // statement while a large extended query is still arriving in several TCP chunks.
    it('keeps concurrent extended queries of different shapes apart, large ones included', async () => {
      const big = 'x'.repeat(300_000);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          i % 2
            ? pool.query<{ v: number }>('SELECT $1::int AS v, length($2::text) AS n', [i, big])
            : pool.query<{ v: number }>('SELECT $1::int + 0 AS v', [i]),
        ),
      );
      expect(results.map((result) => result.rows[0].v)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    });

    it('serialises transactions, so concurrent read-modify-write loses no update', async () => {
      await pool.query('CREATE TABLE fallback_counter (id int PRIMARY KEY, n int NOT NULL)');
      await pool.query('INSERT INTO fallback_counter VALUES (1, 0)');
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const { rows } = await client.query<{ n: number }>(
              'SELECT n FROM fallback_counter WHERE id = 1 FOR UPDATE',
            );
            await new Promise((resolve) => setImmediate(resolve));
            await client.query('UPDATE fallback_counter SET n = $1 WHERE id = 1', [rows[0].n + 1]);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }),
      );
      const { rows } = await pool.query<{ n: number }>('SELECT n FROM fallback_counter');
      expect(rows[0].n).toBe(20);
    });

    it('rolls back the transaction of a connection that goes away, and frees the session', async () => {
      await pool.query('CREATE TABLE fallback_abandoned (v int)');
      const client = new Client({ connectionString: started.postgresUrl });
      await client.connect();
      await client.query('BEGIN');
      await client.query('INSERT INTO fallback_abandoned VALUES (1)');
      await client.end();
      const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM fallback_abandoned');
      expect(rows[0].count).toBe('0');
    });
  });

  it('stops within 10 s of SIGTERM, with the embedded PostgreSQL and the redis-server it started', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
    expect(await Promise.race([exited, timeout])).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    const port = (url: string) => Number(new URL(url).port);
    expect(await isReachable('127.0.0.1', port(started.redisUrl), 500)).toBe(false);
    expect(await isReachable('127.0.0.1', port(started.postgresUrl), 500)).toBe(false);
  });
});
