import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { Query } from 'pg';
import { DataSource, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { recordWire } from '../testing/record-wire';
import { dataSourceOptions } from './data-source-options';
import { queryPrepared } from './sql';
import { runInTransaction } from './transaction';

describe('runInTransaction (real PostgreSQL)', () => {
  let dataSource: DataSource;
  const ended: string[] = [];

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment');
    url.pathname = '/postgres';
    // The project's pool options (pipelining on), without entities or migrations.
    dataSource = new DataSource({
      ...dataSourceOptions({ DATABASE_URL: url.toString() }),
      entities: [],
      migrations: [],
    });
    await dataSource.initialize();
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (event: TransactionCommitEvent) =>
        void ended.push(`commit ${event.queryRunner.isTransactionActive}`),
      afterTransactionRollback: (event: TransactionRollbackEvent) =>
        void ended.push(`rollback ${event.queryRunner.isTransactionActive}`),
    };
    dataSource.subscribers.push(subscriber);
    await dataSource.query('CREATE TABLE IF NOT EXISTS run_in_transaction_spec (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await dataSource?.query('DROP TABLE IF EXISTS run_in_transaction_spec');
    await dataSource?.destroy();
  });
  beforeEach(async () => {
    ended.length = 0;
    jest.restoreAllMocks();
    await dataSource.query('TRUNCATE run_in_transaction_spec');
  });

  const rows = async () =>
    (await dataSource.query<{ id: number }[]>('SELECT id FROM run_in_transaction_spec ORDER BY id')).map((r) => r.id);
  const idle = () => (dataSource.driver as unknown as { master: { idleCount: number; totalCount: number } }).master;

  it('writes the first statement before BEGIN is answered, and runs every statement in one transaction that commits', async () => {
    const wire = recordWire();
    const txids = await runInTransaction(dataSource, async (manager) => {
      const first = await queryPrepared<{ txid: string }>(manager, 'SELECT txid_current()::text AS txid', []);
      await manager.query('INSERT INTO run_in_transaction_spec VALUES (1)');
      const second = await queryPrepared<{ txid: string }>(manager, 'SELECT txid_current()::text AS txid', []);
      return [first[0].txid, second[0].txid];
    });
    expect(new Set(txids).size).toBe(1);
    expect(wire.slice(0, 4)).toEqual([
      'sent BEGIN',
      'sent SELECT txid_current()::text AS txid',
      'answered',
      'answered',
    ]);
    expect(wire.filter((line) => line.startsWith('sent'))).toEqual([
      'sent BEGIN',
      'sent SELECT txid_current()::text AS txid',
      'sent INSERT INTO run_in_transaction_spec VALUES (1)',
      'sent SELECT txid_current()::text AS txid',
      'sent COMMIT',
    ]);
    expect(await rows()).toEqual([1]);
    expect(ended).toEqual(['commit false']);
    expect(idle().idleCount).toBe(idle().totalCount);
  });

  it('writes BEGIN and what the work sends before its first await in one write, and the rest as before', async () => {
    // What each socket write carries, as text (the statements are new to the connection, so
    // their text is in the write).
    const writes: string[] = [];
    const write = Socket.prototype._write;
    const writev = Socket.prototype._writev as NonNullable<Socket['_writev']>;
    jest.spyOn(Socket.prototype, '_write').mockImplementation(function (this: Socket, chunk: Buffer, ...rest) {
      writes.push(chunk.toString('latin1'));
      return write.call(this, chunk, ...rest);
    });
    jest.spyOn(Socket.prototype as Required<Socket>, '_writev').mockImplementation(function (
      this: Socket,
      chunks,
      callback,
    ) {
      writes.push(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer)).toString('latin1'));
      return writev.call(this, chunks, callback);
    });
    const tag = randomUUID().replaceAll('-', '');
    await runInTransaction(dataSource, async (manager) => {
      const a = queryPrepared(manager, `SELECT 1 AS a_${tag}`, []);
      const b = queryPrepared(manager, `SELECT 2 AS b_${tag}`, []);
      await Promise.all([a, b]);
      await queryPrepared(manager, `SELECT 3 AS c_${tag}`, []);
    });
    const carrying = (text: string) => writes.findIndex((w) => w.includes(text));
    expect(carrying('BEGIN')).toBeGreaterThanOrEqual(0);
    expect(carrying(`a_${tag}`)).toBe(carrying('BEGIN'));
    expect(carrying(`b_${tag}`)).toBe(carrying('BEGIN'));
    expect(carrying(`c_${tag}`)).toBeGreaterThan(carrying('BEGIN'));
    expect(carrying('COMMIT')).toBeGreaterThan(carrying(`c_${tag}`));
    expect(idle().idleCount).toBe(idle().totalCount);
  });

  it('rolls everything back when the work throws, reports the work’s error and releases the connection', async () => {
    await expect(
      runInTransaction(dataSource, async (manager) => {
        await manager.query('INSERT INTO run_in_transaction_spec VALUES (1)');
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    await expect(
      runInTransaction(dataSource, async (manager) => {
        await manager.query('INSERT INTO run_in_transaction_spec VALUES (2)');
        await manager.query('SELECT 1 / 0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await rows()).toEqual([]);
    expect(ended).toEqual(['rollback false', 'rollback false']);
    expect(idle().idleCount).toBe(idle().totalCount);
  });

  it('fails with BEGIN’s error when BEGIN fails while the work runs, without an unhandled rejection', async () => {
    // An unhandled rejection fails the running test (jest-circus listens on the real process; a
    // listener added here would be on the sandbox's `process` and never hear one).
    // pg answers a query whose submit returns an error with that error (BEGIN is never written).
    const submit = Query.prototype.submit;
    jest.spyOn(Query.prototype, 'submit').mockImplementation(function (this: Query & { text: string }, ...args) {
      return this.text === 'BEGIN' ? new Error('BEGIN failed') : submit.apply(this, args);
    });
    await expect(
      runInTransaction(dataSource, async () => {
        // Long enough for BEGIN's rejection to be seen before anything awaits it.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }),
    ).rejects.toThrow('BEGIN failed');
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('a transaction nested in the work is a savepoint of it, not a transaction of its own that commits', async () => {
    await expect(
      runInTransaction(dataSource, async (manager) => {
        await manager.transaction((inner) => inner.query('INSERT INTO run_in_transaction_spec VALUES (1)'));
        await manager
          .transaction(async (inner) => {
            await inner.query('INSERT INTO run_in_transaction_spec VALUES (2)');
            throw new Error('the nested work failed');
          })
          .catch(() => undefined);
        expect(
          (await manager.query<{ id: number }[]>('SELECT id FROM run_in_transaction_spec')).map((r) => r.id),
        ).toEqual([1]);
        throw new Error('the outer work failed');
      }),
    ).rejects.toThrow('the outer work failed');
    expect(await rows()).toEqual([]);
    // The savepoints' ends are not the transaction's: the subscriber sees them with the transaction still open.
    expect(ended).toEqual(['commit true', 'rollback true', 'rollback false']);
  });
});
