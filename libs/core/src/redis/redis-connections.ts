import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { withTimeout } from '../async/with-timeout';
import { AppConfig } from '../config/app-config';

/** How long closing a client may wait for its pending replies before the socket is cut. */
const QUIT_TIMEOUT_MS = 500;

/**
 * Every Redis connection of the process (Bull's queues, the rate limits, the provider switches)
 * is made here, so each has an error listener and one owner that closes it.
 *
 * ioredis reconnects on its own and emits `error` on every failed attempt: a client without a
 * listener prints `Unhandled error event` each time, and a listener that logs each one floods
 * the log during an outage. So the process keeps one outage state for all its clients: the
 * first client to fail logs one warning, and once every failed client is back one line says
 * so, with how long it took.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients = new Set<Redis>();
  /** Clients that failed and have not been ready since. */
  private readonly failing = new Set<Redis>();
  private outageStartedAt: number | null = null;

  constructor(private readonly config: AppConfig) {}

  /**
   * A client of REDIS_URL (`options` win over what the URL says). `name` tells the clients apart
   * in the log; this owner closes it at shutdown, after every module that uses it.
   */
  create(name: string, options: RedisOptions = {}): Redis {
    const client = new Redis(this.config.REDIS_URL, options);
    this.clients.add(client);
    client.on('error', (error: Error) => this.failed(client, name, error));
    client.on('ready', () => this.recovered(client));
    // A failed client that is closed will not recover; the outage is not its to keep open.
    client.on('end', () => this.forget(client));
    return client;
  }

  // Not onModuleDestroy: work still draining in beforeApplicationShutdown needs Redis, and the
  // queues close theirs in onApplicationShutdown of modules Nest shuts down before this one.
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.clients].map((client) => this.close(client)));
    this.clients.clear();
  }

  private failed(client: Redis, name: string, error: Error): void {
    this.failing.add(client);
    if (this.outageStartedAt !== null) return;
    this.outageStartedAt = Date.now();
    this.logger.warn(`Redis unavailable (${name}: ${error.message}); reconnecting in the background`);
  }

  private recovered(client: Redis): void {
    if (!this.failing.delete(client) || this.failing.size > 0 || this.outageStartedAt === null) return;
    this.logger.log(`Redis reachable again after ${Date.now() - this.outageStartedAt} ms`);
    this.outageStartedAt = null;
  }

  private forget(client: Redis): void {
    this.failing.delete(client);
    if (this.failing.size === 0) this.outageStartedAt = null;
  }

  private async close(client: Redis): Promise<void> {
    if (client.status === 'end') return;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    // quit() lets pending replies arrive, but would first (re)connect a client that is not
    // connected; a client blocked on a command (Bull's) is cut off after a moment.
    if (client.status === 'ready') await withTimeout(client.quit(), QUIT_TIMEOUT_MS, 'quit').catch(() => undefined);
    client.disconnect();
    // A client waiting to reconnect has no socket left to close, so it never says 'end'.
    if (client.status !== 'reconnecting') await withTimeout(ended, QUIT_TIMEOUT_MS, 'close').catch(() => undefined);
  }
}
