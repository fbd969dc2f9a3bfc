import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

/**
 * The process's Redis connections. Global not for convenience (its users import it) but for
 * its place in the shutdown order: Nest shuts global modules down last, so the connections
 * close after every queue and service that uses them.
 */
@Global()
@Module({ providers: [RedisConnections], exports: [RedisConnections] })
export class RedisModule {}
