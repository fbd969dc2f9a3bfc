import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { isReachable } from '../libs/core/src/dev-infra/reachability';
import { waitFor } from './support/test-app';

const ROOT = join(__dirname, '..');
/** A build on a busy 2-core machine can take minutes (CI builds before the tests); a start after it, seconds. */
const START_DEADLINE_MS = 600_000;
const STOP_DEADLINE_MS = 10_000;

interface BuildScript {
  sourceHash(root: string): string;
  buildIsCurrent(root: string): boolean;
}
// scripts/build.js is plain JavaScript: it has to run before anything is compiled.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildScript = require('../scripts/build.js') as BuildScript;

interface Run {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The PIDs whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return tasks ? tasks.split(/\s+/).map(Number) : [];
}

function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * How the run ended within the stop deadline: its exit, with the run's output attached when it
 * is not the clean one (a shutdown step that failed says which in that output).
 */
async function stopped(run: Run): Promise<{ code: number | null; signal: NodeJS.Signals | null; output?: string }> {
  const exit = await within(run.exited, STOP_DEADLINE_MS);
  if (exit !== 'deadline' && exit.code === 0 && exit.signal === null) return exit;
  return { ...(exit === 'deadline' ? { code: null, signal: null } : exit), output: run.output() };
}

/** Resolves with what happened first: the promise, or the deadline. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'deadline'> {
  return Promise.race([
    promise,
    new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), ms).unref()),
  ]);
}

/**
 * `npm start` as the README has a newcomer run it, here on the real PostgreSQL and Redis of the
 * tests (a database and a Redis prefix of its own): it must build only when the sources changed,
 * end with the banner, and leave no process between a signal and the server.
 */
describe('npm start on PostgreSQL and Redis', () => {
  const databaseUrl = (() => {
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.pathname = `${url.pathname}_npm_start`;
    return url.toString();
  })();
  const queuePrefix = `${process.env.QUEUE_PREFIX}-npm-start`;
  const runs: Run[] = [];

  const start = (): Run => {
    let output = '';
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        EMBEDDED_FALLBACK: 'false',
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: queuePrefix,
        PORT: '0',
        HOST: '',
        SEED_PEOPLE: '200',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const run = { npm, output: () => output, exited };
    runs.push(run);
    return run;
  };

  const banner = async (run: Run) => {
    const port = await waitFor(async () => {
      if (run.npm.exitCode !== null) throw new Error(`npm start exited (${run.npm.exitCode}):\n${run.output()}`);
      return (
        run.output().includes('Stop with Ctrl-C.') &&
        /API +http:\/\/127\.0\.0\.1:(\d+)\/api\/v1/.exec(run.output())?.[1]
      );
    }, START_DEADLINE_MS);
    return Number(port);
  };

  afterAll(async () => {
    for (const run of runs) if (run.npm.exitCode === null && run.npm.signalCode === null) run.npm.kill('SIGKILL');
    const admin = new Client({
      connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).toString(),
    });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
    const redis = new Redis(process.env.REDIS_URL ?? '');
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  describe('the first start', () => {
    let run: Run;
    let port: number;
    beforeAll(async () => {
      run = start();
      port = await banner(run);
    }, START_DEADLINE_MS + 10_000);

    it('ends with the banner: the API and Swagger UI, the servers without credentials, working demo tokens', async () => {
      const output = run.output();
      const bannerAt = output.indexOf('Contact Enrichment API is ready');
      expect(output.indexOf('Nest application successfully started')).toBeGreaterThan(-1);
      expect(output.indexOf('Nest application successfully started')).toBeLessThan(bannerAt);
      expect(output.slice(bannerAt)).not.toMatch(/"level":/);
      expect(output).toContain(`Swagger UI  http://127.0.0.1:${port}/docs`);
      const { host, pathname } = new URL(databaseUrl);
      expect(output).toContain(`PostgreSQL  postgres://${host}${pathname}`);
      expect(output).toContain(`Redis       ${process.env.REDIS_URL}`);
      const token = (name: string) => new RegExp(`${name}=(\\S+)`).exec(output.slice(bannerAt))?.[1] ?? '';
      const api = request(`http://127.0.0.1:${port}`);
      const balance = await api
        .get('/api/v1/operations/credits/balance')
        .set('Authorization', `Bearer ${token('MEMBER_TOKEN')}`);
      expect(balance.body).toMatchObject({ balance: 100000, organizationId: 'org_demo' });
      const webhooks = await api.get('/api/v1/webhooks').set('Authorization', `Bearer ${token('OWNER_TOKEN')}`);
      expect(webhooks.status).toBe(200);
      const org = await api.get('/api/v1/admin/orgs/org_demo').set('Authorization', `Bearer ${token('ADMIN_TOKEN')}`);
      expect(org.status).toBe(200);
    });

    it('runs the server as the process npm started: no shell in between', () => {
      const [child] = childrenOf(run.npm.pid ?? 0);
      expect(commandLineOf(child)).toEqual(['node', 'scripts/start.js', '--seed']);
    });

    it("stops, npm and server, within 10 s of a SIGTERM to npm's PID", async () => {
      const [server] = childrenOf(run.npm.pid ?? 0);
      run.npm.kill('SIGTERM');
      expect(await stopped(run)).toEqual({ code: 0, signal: null });
      expect(alive(server)).toBe(false);
      expect(await isReachable('127.0.0.1', port, 500)).toBe(false);
      expect(run.output()).toContain('SIGTERM: stopping');
    });
  });

  describe('a second start with the sources unchanged', () => {
    let run: Run;
    let port: number;
    beforeAll(async () => {
      run = start();
      port = await banner(run);
    }, START_DEADLINE_MS + 10_000);

    it('does not rebuild', () => {
      expect(run.output()).toContain('Build: dist is up to date with the sources, not rebuilding.');
    });

    it('stops within 10 s of a SIGTERM to the server process itself, and npm with it', async () => {
      const [server] = childrenOf(run.npm.pid ?? 0);
      process.kill(server, 'SIGTERM');
      expect(await stopped(run)).toEqual({ code: 0, signal: null });
      expect(await isReachable('127.0.0.1', port, 500)).toBe(false);
    });
  });

  describe('the build stamp (what decides whether npm start builds)', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'build-stamp-'));
      for (const dir of [
        'apps/api/src',
        'libs/core/src',
        'dist/apps/api/apps/api/src',
        'dist/apps/worker/apps/worker/src',
      ])
        mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, 'apps/api/src/main.ts'), 'main');
      writeFileSync(join(root, 'libs/core/src/a.ts'), 'a');
      writeFileSync(join(root, 'package-lock.json'), '{}');
      writeFileSync(join(root, 'dist/apps/api/apps/api/src/main.js'), '');
      writeFileSync(join(root, 'dist/apps/worker/apps/worker/src/main.js'), '');
      writeFileSync(join(root, 'dist/.build-stamp'), `${buildScript.sourceHash(root)}\n`);
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('is current until a source, the lock file or the TypeScript settings change; specs do not count', () => {
      expect(buildScript.buildIsCurrent(root)).toBe(true);
      writeFileSync(join(root, 'libs/core/src/a.spec.ts'), 'a test');
      expect(buildScript.buildIsCurrent(root)).toBe(true);
      for (const [file, content] of [
        ['libs/core/src/a.ts', 'a changed'],
        ['package-lock.json', '{"changed":true}'],
        ['tsconfig.json', '{}'],
        ['libs/core/src/new.ts', 'new'],
      ]) {
        writeFileSync(join(root, file), content);
        expect(buildScript.buildIsCurrent(root)).toBe(false);
        writeFileSync(join(root, 'dist/.build-stamp'), `${buildScript.sourceHash(root)}\n`);
        expect(buildScript.buildIsCurrent(root)).toBe(true);
      }
    });

    it('is not current when an app is missing from dist', () => {
      rmSync(join(root, 'dist/apps/worker'), { recursive: true });
      expect(buildScript.buildIsCurrent(root)).toBe(false);
    });
  });
});
