import { DataSource, QueryRunner } from 'typeorm';
import { selectPage } from './paged-select';

describe('selectPage (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment');
    url.pathname = '/postgres';
    dataSource = new DataSource({ type: 'postgres', url: url.toString() });
    await dataSource.initialize();
    // One session: the temporary table lives in it.
    runner = dataSource.createQueryRunner();
    await runner.query(`CREATE TEMPORARY TABLE item (id int PRIMARY KEY, kind text NOT NULL)`);
    await runner.query(
      `INSERT INTO item SELECT n, CASE WHEN n % 2 = 0 THEN 'even' ELSE 'odd' END FROM generate_series(1, 25) n`,
    );
  });
  afterAll(async () => {
    await runner?.release();
    await dataSource?.destroy();
  });

  const evens = { columns: 'id, kind', from: 'item', where: 'WHERE kind = $1', orderBy: 'id DESC', params: ['even'] };

  it('reads a page in order with the total of every matching row', async () => {
    const page = await selectPage<{ id: number; kind: string }>(runner.manager, evens, { offset: 2, limit: 3 });
    expect(page).toEqual({
      rows: [
        { id: 20, kind: 'even' },
        { id: 18, kind: 'even' },
        { id: 16, kind: 'even' },
      ],
      total: 12,
    });
  });

  it('still reports the total for a page past the end, and 0 when nothing matches', async () => {
    expect(await selectPage(runner.manager, evens, { offset: 100, limit: 3 })).toEqual({ rows: [], total: 12 });
    expect(await selectPage(runner.manager, { ...evens, params: ['none'] }, { offset: 0, limit: 3 })).toEqual({
      rows: [],
      total: 0,
    });
  });
});
