import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { loadConfig } from '../config/app-config';
import type { EmbeddedService } from '../dev-infra/embedded-postgres';
import { findOnPath, startEmbeddedRedis } from '../dev-infra/embedded-redis';
import { until } from '../testing/until';
import { RedisConnections } from './redis-connections';

// A private redis-server on a free port, killed and restarted here: the shared Redis of the
// other tests is never touched.
describe('RedisConnections', () => {
  const redisServer = findOnPath('redis-server');
  if (!redisServer) throw new Error('redis-server must be installed for this spec');
  const dataDir = mkdtempSync(join(tmpdir(), 'redis-connections-'));
  let server: EmbeddedService;
  let port: number;
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    server = await startEmbeddedRedis(dataDir, redisServer);
    port = Number(new URL(server.url).port);
  });

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    consoleError = jest.spyOn(console, 'error');
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function connections(): RedisConnections {
    return new RedisConnections(loadConfig({ REDIS_URL: server.url }));
  }

  it('an outage is one warning for all the clients, however many retries, and its end one line', async () => {
    const owner = connections();
    const clients: Redis[] = [owner.create('a'), owner.create('b'), owner.create('c', { maxRetriesPerRequest: null })];
    let errors = 0;
    for (const client of clients) client.on('error', () => (errors += 1));
    try {
      await Promise.all(clients.map((client) => client.ping()));

      await server.stop();
      // ioredis retries every few tens of ms at first: many failed attempts, one line.
      await until(() => errors >= 12);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(log).not.toHaveBeenCalled();

      server = await startEmbeddedRedis(dataDir, redisServer, port);
      await until(() => log.mock.calls.length > 0);
      await Promise.all(clients.map((client) => client.ping()));
      expect(log).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledTimes(1);
      // Every client had a listener: ioredis never printed its "Unhandled error event".
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      await owner.onApplicationShutdown();
    }
    expect(clients.map((client) => client.status)).toEqual(['end', 'end', 'end']);
  });

  it('a second outage is reported again', async () => {
    const owner = connections();
    const client = owner.create('again');
    let errors = 0;
    client.on('error', () => (errors += 1));
    try {
      for (let outage = 1; outage <= 2; outage += 1) {
        await client.ping();
        await server.stop();
        await until(() => errors >= 3 * outage);
        server = await startEmbeddedRedis(dataDir, redisServer, port);
        await until(() => log.mock.calls.length === outage);
      }
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      await owner.onApplicationShutdown();
    }
  });

  it('closes a client that was never used without connecting it', async () => {
    const owner = connections();
    const client = owner.create('lazy', { lazyConnect: true });
    const connect = jest.spyOn(client, 'connect');
    await owner.onApplicationShutdown();
    expect(connect).not.toHaveBeenCalled();
    expect(client.status).toBe('end');
  });
});
