import { DataSource } from 'typeorm';
import { createThrowawayDatabase } from '../testing/throwaway-database';
import { PeriodicTask } from './periodic-task';

/** A promise and the function that settles it: a test step waits for a state, never for a time. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

describe('PeriodicTask (PostgreSQL)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  const tasks: PeriodicTask[] = [];
  const task = (name: string, pass: () => Promise<void>, source = dataSource) => {
    const created = new PeriodicTask(name, 60_000, source, pass);
    tasks.push(created);
    return created;
  };

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('periodic_task_spec'));
  });
  afterEach(async () => {
    await Promise.all(tasks.splice(0).map((created) => created.stop()));
  });
  afterAll(() => drop?.());

  const advisoryLocks = async (): Promise<number> => {
    const [{ count }]: { count: string }[] = await dataSource.query(
      `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return Number(count);
  };

  it('runs one pass at a time across instances (as two processes would be)', async () => {
    const entered = signal();
    const release = signal();
    const first = task('spec-sweep', async () => {
      entered.fire();
      await release.promise;
    });
    const second = task('spec-sweep', async () => undefined);
    const firstPass = first.runOnce();
    await entered.promise;
    expect(await second.runOnce()).toBe(false);
    release.fire();
    expect(await firstPass).toBe(true);
    expect(await second.runOnce()).toBe(true);
  });

  it('survives a failing pass, releases its lock and runs again', async () => {
    let calls = 0;
    const failing = task('spec-failing', async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    });
    expect(await failing.runOnce()).toBe(false);
    expect(await advisoryLocks()).toBe(0);
    expect(await failing.runOnce()).toBe(true);
  });

  it('holds its lock outside any transaction: no connection is idle in transaction during a pass', async () => {
    const seen: { state: string; application_name: string }[][] = [];
    const sweep = task('spec-no-transaction', async () => {
      seen.push(
        await dataSource.query(
          `SELECT state, application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        ),
      );
      expect(await advisoryLocks()).toBe(1);
    });
    expect(await sweep.runOnce()).toBe(true);
    expect(seen[0]).toContainEqual({ state: 'idle', application_name: 'periodic-task:spec-no-transaction' });
    expect(seen[0].filter((row) => row.state === 'idle in transaction')).toEqual([]);
    expect(await advisoryLocks()).toBe(0);
  });

  // The embedded PGlite has one session for all connections: a pass whose queries wait for a
  // connection the lock holds never ends. A pool of one connection shows the same on PostgreSQL.
  it('does not take a pooled connection for the lock: a pass on a pool of one connection completes', async () => {
    const single = new DataSource({ ...dataSource.options, extra: { max: 1 } });
    await single.initialize();
    try {
      const passes = Array.from({ length: 5 }, (_, i) =>
        task(`spec-single-${i}`, async () => void (await single.query('SELECT 1')), single),
      );
      for (const each of passes) expect(await each.runOnce()).toBe(true);
    } finally {
      await Promise.all(tasks.splice(0).map((created) => created.stop()));
      await single.destroy();
    }
  });

  it('closes its lock connection when stopped', async () => {
    const stopping = task('spec-stop', async () => undefined);
    expect(await stopping.runOnce()).toBe(true);
    const connections = async () =>
      Number(
        (
          await dataSource.query(
            `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'periodic-task:spec-stop'`,
          )
        )[0].count,
      );
    expect(await connections()).toBe(1);
    await stopping.stop();
    // The backend goes away once the server has processed the Terminate message.
    const deadline = Date.now() + 10_000;
    while ((await connections()) !== 0 && Date.now() < deadline) await new Promise(setImmediate);
    expect(await connections()).toBe(0);
  });
});
