import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevInfra } from './ensure-dev-infra';
import { findOnPath } from './embedded-redis';
import { isReachable } from './reachability';

const UNREACHABLE_POSTGRES = 'postgres://postgres@127.0.0.1:1/enrichment';
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

/** Something that accepts TCP connections: "reachable" is all the fallback checks. */
async function listener(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('ensureDevInfra', () => {
  let dataDir: string;
  let lines: string[];
  const log = (line: string) => lines.push(line);

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'dev-infra-'));
    lines = [];
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['tests', { NODE_ENV: 'test' }],
    ['production', { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-0123', METRICS_PUBLIC: 'true' }],
    ['EMBEDDED_FALLBACK=false', { NODE_ENV: 'development', EMBEDDED_FALLBACK: 'false' }],
  ])('leaves the configured servers alone in %s, reachable or not', async (_, settings) => {
    const env = { ...settings, DATABASE_URL: UNREACHABLE_POSTGRES, REDIS_URL: UNREACHABLE_REDIS };
    const infra = await ensureDevInfra({ env, log });
    expect(infra).toMatchObject({ postgres: 'external', redis: 'external' });
    expect(env).toMatchObject({ DATABASE_URL: UNREACHABLE_POSTGRES, REDIS_URL: UNREACHABLE_REDIS });
    expect(lines).toEqual([]);
  });

  it('uses servers that answer, and logs their URLs without credentials', async () => {
    const postgres = await listener();
    const redis = await listener();
    try {
      const env = {
        NODE_ENV: 'development',
        DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${postgres.port}/enrichment`,
        REDIS_URL: `redis://:hunter2@127.0.0.1:${redis.port}`,
      };
      const infra = await ensureDevInfra({ env, log });
      expect(infra).toMatchObject({
        postgres: 'external',
        redis: 'external',
        summary: {
          postgres: `postgres://127.0.0.1:${postgres.port}/enrichment`,
          redis: `redis://127.0.0.1:${redis.port}`,
        },
      });
      expect(lines).toEqual([
        `PostgreSQL: external, postgres://127.0.0.1:${postgres.port}/enrichment`,
        `Redis: external, redis://127.0.0.1:${redis.port}`,
      ]);
    } finally {
      postgres.server.close();
      redis.server.close();
    }
  });

  it('without Redis and without redis-server, fails saying how to get one', async () => {
    const postgres = await listener();
    try {
      const env = {
        NODE_ENV: 'development',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres.port}/enrichment`,
        REDIS_URL: UNREACHABLE_REDIS,
        PATH: dataDir,
      };
      await expect(ensureDevInfra({ env, log })).rejects.toThrow(
        /^No Redis answers at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\).*apt-get install redis-server.*brew install redis.*REDIS_URL/,
      );
    } finally {
      postgres.server.close();
    }
  });

  it('does not look for Redis when the process needs none (the seed)', async () => {
    const postgres = await listener();
    try {
      const env = {
        NODE_ENV: 'development',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres.port}/enrichment`,
        REDIS_URL: UNREACHABLE_REDIS,
        PATH: dataDir,
      };
      await expect(ensureDevInfra({ env, log, redis: false })).resolves.toMatchObject({ redis: 'external' });
      expect(env.REDIS_URL).toBe(UNREACHABLE_REDIS);
    } finally {
      postgres.server.close();
    }
  });

  it('starts the installed redis-server on a loopback port when Redis does not answer, and stops it', async () => {
    expect(findOnPath('redis-server')).toBeDefined();
    const postgres = await listener();
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'development',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres.port}/enrichment`,
      REDIS_URL: UNREACHABLE_REDIS,
      EMBEDDED_DATA_DIR: dataDir,
      PATH: process.env.PATH,
    };
    try {
      const infra = await ensureDevInfra({ env, log });
      expect(infra.redis).toBe('embedded');
      const url = new URL(env.REDIS_URL ?? '');
      expect(url.hostname).toBe('127.0.0.1');
      expect(await isReachable('127.0.0.1', Number(url.port), 1000)).toBe(true);
      expect(lines[1]).toMatch(
        new RegExp(`^Redis: nothing answers at redis://127.0.0.1:1; started .*redis-server at ${env.REDIS_URL}$`),
      );
      await infra.stop();
      expect(await isReachable('127.0.0.1', Number(url.port), 1000)).toBe(false);
    } finally {
      postgres.server.close();
    }
  });
});
