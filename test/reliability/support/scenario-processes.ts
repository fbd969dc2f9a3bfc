import type { Pool } from 'pg';
import { createPool } from './harness';
import { RedisServer, stopAll } from './processes';

/** What a suite of crash scenarios shares: the database pool and the suite's own redis-server. */
export interface ScenarioProcesses {
  readonly db: Pool;
  readonly redis: RedisServer;
}

/**
 * Registers the hooks of a suite whose scenarios start, crash (SIGKILL) and stop their own API
 * and worker processes: one pool and one redis-server for the suite; after each scenario every
 * process it started is stopped and Redis is brought back if the scenario (or its failure
 * half-way) left it down, so the next scenario starts from the same ground. Read `db` and
 * `redis` inside tests and hooks (they exist once `beforeAll` ran).
 */
export function useScenarioProcesses(): ScenarioProcesses {
  let db: Pool | undefined;
  let redis: RedisServer | undefined;

  beforeAll(async () => {
    db = createPool();
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await stopAll();
    // stopAll stops the suite's redis-server too; a scenario may also have stopped it on purpose.
    if (redis && !(await redis.ping().catch(() => false))) await redis.start();
  });
  afterAll(async () => {
    await stopAll();
    await db?.end();
  });

  return {
    get db(): Pool {
      if (!db) throw new Error('useScenarioProcesses: the pool exists once beforeAll ran');
      return db;
    },
    get redis(): RedisServer {
      if (!redis) throw new Error('useScenarioProcesses: redis-server exists once beforeAll ran');
      return redis;
    },
  };
}
