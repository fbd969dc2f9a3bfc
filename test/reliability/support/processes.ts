import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RELIABILITY_DATABASE_URL, RELIABILITY_JWT_SECRET } from './env';

const ROOT = join(__dirname, '..', '..', '..');
const API_MAIN = join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');

/** Every child this test file started and has not seen exit; killed by `stopAll` whatever happened. */
const running = new Set<ManagedProcess>();
process.on('exit', () => {
  for (const child of running) child.process.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a truthy value, or throws with `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what} ${lastError instanceof Error ? lastError.message : ''}`,
      );
    await sleep(everyMs);
  }
}

/** A child process with the tail of its output kept for failure messages. */
export class ManagedProcess {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private done = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    running.add(this);
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        this.done = true;
        running.delete(this);
        resolve(code ?? (signal ? -1 : null));
      }),
    );
  }

  get alive(): boolean {
    return !this.done;
  }

  /** Sends the signal and waits for the exit (SIGKILL after `graceMs` if a SIGTERM is ignored). */
  async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10000): Promise<void> {
    if (!this.alive) return;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 30): string {
    return `--- ${this.name} ---\n${this.output.slice(-lines).join('\n')}`;
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop('SIGKILL')));
}

/** A redis-server of the suite's own, on a free port, without persistence: killing it loses everything. */
export class RedisServer {
  private child?: ManagedProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = new ManagedProcess(
      `redis:${this.port}`,
      spawn(
        'redis-server',
        ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    await until(`redis on ${this.port}`, () => this.ping(), 10000);
  }

  async kill(): Promise<void> {
    await this.child?.stop('SIGKILL');
  }

  async flushAll(): Promise<void> {
    await this.withClient((redis) => redis.flushall());
  }

  async ping(): Promise<boolean> {
    return this.withClient(async (redis) => (await redis.ping()) === 'PONG');
  }

  private async withClient<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    try {
      await redis.connect();
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  }
}

let prefixCounter = 0;

/** The environment every child gets: the suite's database and Redis, short recovery timings, quiet logs. */
export function baseEnv(redisUrl: string): Record<string, string> {
  prefixCounter += 1;
  return {
    NODE_ENV: 'test',
    EMBEDDED_FALLBACK: 'false',
    DATABASE_URL: RELIABILITY_DATABASE_URL,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `rel-${process.pid}-${prefixCounter}`,
    JWT_SECRET: RELIABILITY_JWT_SECRET,
    LOG_LEVEL: 'warn',
    // The fuzzer and the concurrency scenarios send thousands of requests from one org.
    RATE_LIMIT: '1000000',
    // ...many of them without a valid token, all from 127.0.0.1 (the abuse scenario sets its own).
    RATE_LIMIT_ANON: '1000000',
    RECOVERY_SWEEP_INTERVAL_MS: '1000',
    RECOVERY_STALE_AFTER_MS: '1500',
    PROCESSING_LEASE_MS: '5000',
    // A SIGKILLed worker's job is run again at the next stalled check, this often.
    JOB_LOCK_DURATION_MS: '3000',
    JOB_BACKOFF_MS: '200',
    SIM_LATENCY_MS: '20',
    SIM_ERROR_RATE: '0',
  };
}

/** Only the basics are inherited: a developer's own config variables must not leak into the children. */
function spawnNode(script: string, env: Record<string, string>, nodeArgs: readonly string[] = []): ChildProcess {
  const inherited: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) {
    const value = process.env[key];
    if (value) inherited[key] = value;
  }
  return spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export class ApiProcess extends ManagedProcess {
  constructor(
    name: string,
    child: ChildProcess,
    readonly port: number,
  ) {
    super(name, child);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

/**
 * Starts the built API and waits until it answers: `/health/ready` (PostgreSQL and Redis up),
 * or only `/health` when the scenario points it at a dead Redis on purpose. `nodeArgs` go to
 * node itself (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow).
 */
export async function startApi(
  env: Record<string, string>,
  options: { name?: string; wait?: 'ready' | 'live'; nodeArgs?: readonly string[] } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const api = new ApiProcess(
    options.name ?? 'api',
    spawnNode(API_MAIN, { ...env, PORT: String(port) }, options.nodeArgs),
    port,
  );
  const path = options.wait === 'live' ? '/health' : '/health/ready';
  try {
    await until(
      `${api.name} ${path}`,
      async () => {
        if (!api.alive) return true;
        const res = await fetch(`${api.url}${path}`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200;
      },
      30000,
      200,
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${api.tail()}`);
  }
  if (!api.alive) throw new Error(`${api.name} exited during start-up\n${api.tail()}`);
  return api;
}

/** Starts the built worker (processors only); it has no HTTP port, scenarios watch the database instead. */
export function startWorker(env: Record<string, string>, name = 'worker'): ManagedProcess {
  return new ManagedProcess(name, spawnNode(WORKER_MAIN, env));
}
