import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { pgTypeOverrides } from './pg-types';

/** libs/core/src/database → the tree that holds every lib (source or build output alike). */
const LIBS_ROOT = join(__dirname, '..', '..', '..');

/**
 * The one description of the database connection: the Nest app and the typeorm CLI
 * (`ormconfig.ts`) both build their DataSource from it. The schema changes only through
 * migrations, never `synchronize`.
 */
export function dataSourceOptions(
  config: Pick<AppConfig, 'DATABASE_URL'> &
    Partial<Pick<AppConfig, 'DATABASE_POOL_SIZE' | 'DATABASE_PREPARED_STATEMENTS'>>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: [join(LIBS_ROOT, '*', 'src', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+, so no extension has to be installed.
    uuidExtension: 'pgcrypto',
    // `preparedStatements` is ours (queryPrepared reads it; pg ignores it). `pipeline`: a
    // connection writes a statement without waiting for the answer to the one before; code that
    // awaits each statement sees no difference, and runInTransaction sends BEGIN with the first.
    extra: {
      max: config.DATABASE_POOL_SIZE ?? 20,
      pipeline: true,
      types: pgTypeOverrides(),
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS ?? true,
    },
  };
}
