import { join } from 'node:path';
import { AppConfig, loadConfig } from '../config/app-config';
import { EmbeddedService, startEmbeddedPostgres } from './embedded-postgres';
import { findOnPath, redisMissingHelp, startEmbeddedRedis } from './embedded-redis';
import { isReachable, redactUrl } from './reachability';

export type InfraSource = 'external' | 'embedded';

export interface EnsureDevInfraOptions {
  /** The environment to read and to point at what was started (default: process.env). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Whether this process needs Redis at all (the seed does not). Default true. */
  redis?: boolean;
  /**
   * Whether SIGINT/SIGTERM stop what was started here and exit. Default true; the API's main
   * handles the signals itself (it closes the app first, then calls `stop`).
   */
  stopOnSignals?: boolean;
}

export interface DevInfra {
  postgres: InfraSource;
  redis: InfraSource;
  /** What each one is, for the start-up banner (URLs without credentials). */
  summary: { postgres: string; redis: string };
  /** Stops what was started here (nothing when both are external). */
  stop: () => Promise<void>;
}

/**
 * Every connection of the pool is a session multiplexed over PGlite's single one, so more
 * connections only queue; a few keep a request from waiting behind the queue workers.
 */
export const EMBEDDED_POOL_SIZE = 4;
const REACHABILITY_TIMEOUT_MS = 1000;

/**
 * A newcomer's `npm start` without PostgreSQL or Redis: with NODE_ENV=development and
 * EMBEDDED_FALLBACK on, whichever of the two does not answer is replaced by a local one
 * (PGlite behind a wire-protocol server, or the installed redis-server), and `env`'s
 * DATABASE_URL / REDIS_URL point at it for the rest of the process. Tests and production
 * always use the configured servers. Call it before `loadConfig()`.
 */
export async function ensureDevInfra(options: EnsureDevInfraOptions = {}): Promise<DevInfra> {
  const {
    env = process.env,
    log = (line: string) => console.log(line),
    redis: needsRedis = true,
    stopOnSignals: handleSignals = true,
  } = options;
  const config = loadConfig(env);
  const none: DevInfra = {
    postgres: 'external',
    redis: 'external',
    summary: { postgres: redactUrl(config.DATABASE_URL), redis: redactUrl(config.REDIS_URL) },
    stop: () => Promise.resolve(),
  };
  if (config.NODE_ENV !== 'development' || !config.EMBEDDED_FALLBACK) return none;

  const started: EmbeddedService[] = [];
  let removeSignalHandlers = () => {};
  const stop = async () => {
    removeSignalHandlers();
    for (const service of started.splice(0).reverse()) await service.stop();
  };
  try {
    const infra: DevInfra = { ...none, summary: { ...none.summary }, stop };
    infra.postgres = await ensurePostgres(config, env, log, started);
    if (infra.postgres === 'embedded') {
      infra.summary.postgres = `embedded PGlite, data in ${join(config.EMBEDDED_DATA_DIR, 'pglite')}`;
    }
    if (needsRedis) infra.redis = await ensureRedis(config, env, log, started);
    if (infra.redis === 'embedded')
      infra.summary.redis = `redis-server started at ${env.REDIS_URL}, without persistence`;
    if (started.length > 0 && handleSignals) removeSignalHandlers = stopOnSignals(stop);
    return infra;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ensurePostgres(
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  started: EmbeddedService[],
): Promise<InfraSource> {
  if (await answers(config.DATABASE_URL, 5432)) {
    log(`PostgreSQL: external, ${redactUrl(config.DATABASE_URL)}`);
    return 'external';
  }
  const dataDir = join(config.EMBEDDED_DATA_DIR, 'pglite');
  const postgres = await startEmbeddedPostgres(dataDir);
  started.push(postgres);
  env.DATABASE_URL = postgres.url;
  env.DATABASE_POOL_SIZE = String(EMBEDDED_POOL_SIZE);
  // The pool's connections share PGlite's one session: a statement one of them prepares exists
  // for all, and the next connection's Parse of the same name would fail.
  env.DATABASE_PREPARED_STATEMENTS = 'false';
  log(
    `PostgreSQL: nothing answers at ${redactUrl(config.DATABASE_URL)}; ` +
      `embedded PGlite at ${postgres.url} (data in ${dataDir})`,
  );
  return 'embedded';
}

async function ensureRedis(
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  started: EmbeddedService[],
): Promise<InfraSource> {
  if (await answers(config.REDIS_URL, 6379)) {
    log(`Redis: external, ${redactUrl(config.REDIS_URL)}`);
    return 'external';
  }
  const redisServer = findOnPath('redis-server', env.PATH);
  if (!redisServer) throw new Error(redisMissingHelp(redactUrl(config.REDIS_URL)));
  const dataDir = join(config.EMBEDDED_DATA_DIR, 'redis');
  const redis = await startEmbeddedRedis(dataDir, redisServer);
  started.push(redis);
  env.REDIS_URL = redis.url;
  log(`Redis: nothing answers at ${redactUrl(config.REDIS_URL)}; started ${redisServer} at ${redis.url}`);
  return 'embedded';
}

async function answers(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  // A Unix-socket URL (empty host) is left to the driver.
  if (!hostname) return true;
  return isReachable(hostname.replace(/^\[|\]$/g, ''), Number(port || defaultPort), REACHABILITY_TIMEOUT_MS);
}

/**
 * Stops the embedded services on SIGINT/SIGTERM (for processes without an app to close first,
 * such as the seed). Nest's shutdown hooks, where enabled, also listen: they close the app,
 * remove their listener and raise the signal again, so this listener acts only when it is the
 * last one left. Returns the function that removes the listeners.
 */
function stopOnSignals(stop: () => Promise<void>): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.on(signal, onSignal);
    return () => process.removeListener(signal, onSignal);
  });
  return () => handlers.forEach((remove) => remove());
}
