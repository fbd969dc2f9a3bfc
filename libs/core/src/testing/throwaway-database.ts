import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/data-source-options';
import { ensureDatabaseExists } from '../database/ensure-database';

/**
 * A real, migrated PostgreSQL database for one spec file, dropped afterwards: specs that
 * exercise SQL run it for real without touching the development or e2e databases.
 */
export async function createThrowawayDatabase(
  name: string,
): Promise<{ dataSource: DataSource; drop: () => Promise<void> }> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment');
  const url = new URL(server);
  url.pathname = `/${name}_${process.pid}`;
  const maintenance = new URL(server);
  maintenance.pathname = '/postgres';
  const admin = async (sql: string) => {
    const db = new DataSource({ type: 'postgres', url: maintenance.toString() });
    await db.initialize();
    try {
      await db.query(sql);
    } finally {
      await db.destroy();
    }
  };
  const database = url.pathname.slice(1);
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await ensureDatabaseExists(url.toString());
  const dataSource = new DataSource(dataSourceOptions({ DATABASE_URL: url.toString() }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  return {
    dataSource,
    drop: async () => {
      await dataSource.destroy();
      await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
  };
}
