import { DataSource } from 'typeorm';
import { queryPrepared } from './sql';

describe('queryPrepared (real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment');
    url.pathname = '/postgres';
    dataSource = new DataSource({ type: 'postgres', url: url.toString(), extra: { max: 2 } });
    await dataSource.initialize();
  });
  afterAll(() => dataSource?.destroy());

  const DOUBLE = 'SELECT n, n * 2 AS double FROM unnest($1::int[]) AS n';
  const preparedHere = async (query: (sql: string) => Promise<{ count: number }[]>) =>
    (await query(`SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement = '${DOUBLE}'`))[0].count;

  it('runs in the transaction’s connection, prepared once there, and answers rows', async () => {
    await dataSource.transaction(async (manager) => {
      expect(await queryPrepared(manager, DOUBLE, [[1, 2]])).toEqual([
        { n: 1, double: 2 },
        { n: 2, double: 4 },
      ]);
      expect(await queryPrepared(manager, DOUBLE, [[3]])).toEqual([{ n: 3, double: 6 }]);
      // pg_prepared_statements is per session: this is the transaction's connection.
      expect(await preparedHere((sql) => manager.query(sql))).toBe(1);
    });
  });

  it('without a transaction, on a pool connection; a failing statement rejects and the next call still works', async () => {
    expect(await queryPrepared(dataSource, DOUBLE, [[5]])).toEqual([{ n: 5, double: 10 }]);
    await expect(queryPrepared(dataSource, 'SELECT 1 / $1::int AS x', [0])).rejects.toThrow(/division by zero/);
    expect(await queryPrepared(dataSource, DOUBLE, [[6]])).toEqual([{ n: 6, double: 12 }]);
  });

  it('UPDATE … RETURNING answers its rows, as a SELECT does', async () => {
    await dataSource.transaction(async (manager) => {
      await manager.query('CREATE TEMPORARY TABLE counter (id int PRIMARY KEY, value int NOT NULL) ON COMMIT DROP');
      await manager.query('INSERT INTO counter VALUES (1, 10), (2, 20)');
      expect(
        await queryPrepared(manager, 'UPDATE counter SET value = value + $1 WHERE id = $2 RETURNING id, value', [5, 2]),
      ).toEqual([{ id: 2, value: 25 }]);
    });
  });
});
