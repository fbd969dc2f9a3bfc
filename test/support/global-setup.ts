// globalSetup runs outside Jest's module registry, so the @app/* aliases need registering here.
import 'tsconfig-paths/register';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../libs/core/src/database/data-source-options';
import { seedPeople } from '../../libs/leads/src/seed/seed-people';

/** Number of leads every e2e test can rely on (enough for bulk windows of 1000). */
export const TEST_PEOPLE = 3000;

/** The environment variable that carries this run's Redis key prefix to every test file and to the teardown. */
export const TEST_QUEUE_PREFIX = 'TEST_QUEUE_PREFIX';

/**
 * Creates the e2e database from scratch and migrates it once per run: tests then only
 * truncate what they write. Nothing here is an in-memory substitute. Also names the run's
 * Redis key prefix, which global-teardown.ts deletes.
 */
export default async function globalSetup(): Promise<void> {
  process.env[TEST_QUEUE_PREFIX] ??= `enrichment-test-${process.pid}`;
  await prepareDatabase(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment_test');
}

/** Drops, creates, migrates and seeds the database at `databaseUrl` (the reliability suite reuses it for its own). */
export async function prepareDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  const admin = new Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const dataSource = new DataSource(dataSourceOptions({ DATABASE_URL: url.toString() }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  await seedPeople(dataSource, TEST_PEOPLE);
  await dataSource.destroy();
}
