/**
 * The newcomer check (.ci/run): what a new user does first, on a fresh clone, within a time
 * limit that fails the run.
 *
 *  1. `git clone` of this repository's HEAD into a temporary directory, `npm ci` from the npm cache;
 *  2. the README's first command (`npm install && npm start`) with nothing answering at
 *     DATABASE_URL and REDIS_URL (closed loopback ports), so the embedded fallback must serve;
 *  3. the README's "Try it" block, command by command, against it: one full enrichment with
 *     found data, the bulk window with its exclusion, the credits;
 *  4. SIGTERM to npm's PID: npm and the server must be gone within 10 s, exit code 0.
 *
 * Run: `node -r ts-node/register/transpile-only test/newcomer/newcomer-check.ts`
 * (NEWCOMER_CHECK_LIMIT_S, default 600: the whole check, generous for a busy 2-core CI machine; NEWCOMER_KEEP=1 keeps the clone).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LIMIT_MS = Number(process.env.NEWCOMER_CHECK_LIMIT_S ?? 600) * 1000;
const STOP_DEADLINE_MS = 10_000;
const PROCESSING_DEADLINE_MS = 60_000;
const README_BASE_URL = 'http://127.0.0.1:3000';

const startedAt = Date.now();
const children = new Set<ChildProcess>();
const phases: string[] = [];

function log(line: string): void {
  console.log(`[newcomer ${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${line}`);
}

function fail(message: string): never {
  throw new Error(message);
}

function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const begin = Date.now();
  log(`${name}...`);
  return work().then((value) => {
    phases.push(`${name}: ${((Date.now() - begin) / 1000).toFixed(1)} s`);
    return value;
  });
}

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** A loopback port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) fail(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The README's first command: the first line of the first bash block under "## Two commands". */
function firstCommand(readme: string): string {
  const section = readme.slice(readme.indexOf('## Two commands'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? fail('README: no bash block under "## Two commands"');
  return block
    .split('\n')[0]
    .replace(/\s+#.*$/, '')
    .trim();
}

interface TryIt {
  /** Lines before the first comment: the token variables. */
  prelude: string;
  /** Every command of the block after it, continuation lines joined. */
  commands: string[];
}

function tryItBlock(readme: string): TryIt {
  const section = readme.slice(readme.indexOf('## Try it'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? fail('README: no bash block under "## Try it"');
  const logical = block.replace(/\\\n\s*/g, '').split('\n');
  const firstComment = logical.findIndex((line) => line.startsWith('#'));
  return {
    prelude: logical.slice(0, firstComment).join('\n'),
    commands: logical.slice(firstComment).filter((line) => line.trim() !== '' && !line.startsWith('#')),
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Enrichment {
  entityId: string;
  status: string;
  dataFound: boolean;
}

async function main(): Promise<void> {
  const limit = setTimeout(() => {
    console.error(`[newcomer] FAILED: the check took longer than ${LIMIT_MS / 1000} s`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  }, LIMIT_MS);
  limit.unref();

  const work = mkdtempSync(join(tmpdir(), 'newcomer-'));
  let checkedMs = 0;
  const clone = join(work, 'clone');
  try {
    await phase('git clone', () => run('git', ['clone', '--quiet', ROOT, clone], { cwd: work }));
    await phase('npm ci (from the npm cache)', () =>
      run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone }),
    );

    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    const command = firstCommand(readme);
    const steps = command.split(/\s*&&\s*/);
    if (steps.at(-1) !== 'npm start') fail(`README's first command does not end with npm start: ${command}`);
    const [postgresPort, redisPort, port] = [await closedPort(), await closedPort(), await closedPort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${postgresPort}/enrichment`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(port),
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    for (const variable of ['HOST', 'QUEUE_PREFIX', 'EMBEDDED_FALLBACK', 'EMBEDDED_DATA_DIR', 'LOG_LEVEL'])
      delete env[variable];
    for (const step of steps.slice(0, -1)) {
      const [program, ...args] = step.split(/\s+/);
      await phase(step, () => run(program, args, { cwd: clone, env }));
    }

    let output = '';
    const npm = spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(npm);
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));

    const baseUrl = await phase('npm start (build, embedded PostgreSQL and Redis, migrate, seed, serve)', () =>
      poll(
        'the banner',
        async () => {
          if (npm.exitCode !== null) fail(`npm start exited (${npm.exitCode}):\n${output}`);
          if (!output.includes('Stop with Ctrl-C.')) return undefined;
          return /API +(http:\/\/\S+)\/api\/v1/.exec(output)?.[1] ?? fail(`no API URL in the banner:\n${output}`);
        },
        LIMIT_MS,
      ),
    );
    if (!output.includes('embedded PGlite') || !output.includes('redis-server started at'))
      fail(`npm start did not fall back to the embedded servers:\n${output}`);
    if (baseUrl !== `http://127.0.0.1:${port}`) fail(`the banner shows ${baseUrl}, not http://127.0.0.1:${port}`);

    await phase("the README's examples", () => tryIt(readme, clone, env, baseUrl));

    await phase('SIGTERM to npm', async () => {
      npm.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), STOP_DEADLINE_MS).unref()),
      ]);
      if (code !== 0) fail(`after SIGTERM: ${code === 'late' ? 'still running after 10 s' : `exit code ${code}`}`);
      const stillServing = await fetch(baseUrl).then(
        () => true,
        () => false,
      );
      if (stillServing) fail('npm exited but the server still answers');
    });
  } finally {
    // The clock stops with the newcomer's last step: deleting the clone (1,000+ packages) is ours.
    clearTimeout(limit);
    checkedMs = Date.now() - startedAt;
    for (const child of children) child.kill('SIGKILL');
    if (process.env.NEWCOMER_KEEP) log(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
  log(`passed in ${(checkedMs / 1000).toFixed(1)} s (limit ${LIMIT_MS / 1000} s): ${phases.join('; ')}`);
}

/** Runs the README's "Try it" block command by command and checks what each answers. */
async function tryIt(readme: string, clone: string, env: NodeJS.ProcessEnv, baseUrl: string): Promise<void> {
  const { prelude, commands } = tryItBlock(readme);
  const names = [...prelude.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]);
  const values = (
    await run(
      'bash',
      ['-c', `set -euo pipefail\n${prelude}\nprintf '%s\\n' ${names.map((n) => `"$${n}"`).join(' ')}`],
      {
        cwd: clone,
        env,
      },
    )
  )
    .trim()
    .split('\n');
  const withTokens = { ...env, ...Object.fromEntries(names.map((name, i) => [name, values[i]])) };
  const curl = async (line: string): Promise<Json> => {
    const text = await run('bash', ['-c', `set -euo pipefail\n${line.replaceAll(README_BASE_URL, baseUrl)}`], {
      cwd: clone,
      env: withTokens,
    });
    const body = JSON.parse(text) as Json;
    // The error envelope: {"error": {"code", "message", "details"}} (an enrichment's own `error` is null or a string).
    const error = body && typeof body === 'object' && !Array.isArray(body) ? body.error : undefined;
    if (error && typeof error === 'object') fail(`${line}\nanswered ${text}`);
    return body;
  };
  const request = (line: string) => JSON.parse(/-d '([^']*)'/.exec(line)?.[1] ?? '{}') as Record<string, Json>;

  let checked = 0;
  for (const line of commands) {
    if (!line.startsWith('curl ')) fail(`not a curl command in "Try it": ${line}`);
    if (line.includes('/enrichment/bulk')) {
      const selection = request(line).selection as {
        mode: string;
        includedIds?: string[];
        targetCount?: number;
        excludedIds?: string[];
      };
      const expected =
        selection.mode === 'manual'
          ? (selection.includedIds ?? []).length
          : (selection.targetCount ?? 0) - (selection.excludedIds ?? []).length;
      const body = (await curl(line)) as unknown as Enrichment[];
      if (body.length !== expected)
        fail(`${line}\nanswered ${body.length} enrichments, the README promises ${expected}`);
      log(`bulk (${selection.mode}): ${body.length} enrichments, as the README says`);
    } else if (line.includes('/batch/query')) {
      const statuses = await poll(
        'every polled enrichment finished',
        async () => {
          const body = (await curl(line)) as unknown as Enrichment[];
          return body.length > 0 && body.every((e) => e.status === 'finished') ? body : undefined;
        },
        PROCESSING_DEADLINE_MS,
      );
      if (!statuses.some((e) => e.dataFound)) fail(`${line}\nfound nothing: ${JSON.stringify(statuses)}`);
      log(`poll: ${statuses.map((e) => `${e.entityId.slice(-4)} finished, dataFound ${e.dataFound}`).join('; ')}`);
    } else if (/\/enrichment\/[0-9a-f-]{36}\?field=emails/.test(line)) {
      const body = (await curl(line)) as { status: string; data?: { emails?: { address: string }[] } };
      const email = body.data?.emails?.[0]?.address ?? fail(`${line}\nshows no found email: ${JSON.stringify(body)}`);
      log(`found email ${email}: ${JSON.stringify(body)}`);
    } else if (line.includes('/credits/balance')) {
      const body = (await curl(line)) as { balance: number };
      if (typeof body.balance !== 'number') fail(`${line}\nanswered ${JSON.stringify(body)}`);
      log(`balance: ${body.balance}`);
    } else {
      await curl(line);
      log(`ok: ${line.slice(0, 100)}`);
    }
    checked += 1;
  }
  if (checked < 5) fail(`"Try it" has only ${checked} curl commands; expected the full walk-through`);
}

main().catch((error: unknown) => {
  console.error(`[newcomer] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
