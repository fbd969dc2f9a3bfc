import { createThrowawayDatabase } from '../testing/throwaway-database';
import { PeriodicTask } from './periodic-task';
import type { DataSource } from 'typeorm';

describe('PeriodicTask (PostgreSQL)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('periodic_task_spec'));
  });
  afterAll(() => drop?.());

  it('runs one pass at a time across instances (as two processes would be)', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const first = new PeriodicTask('spec-sweep', 60_000, dataSource, () => blocked);
    const second = new PeriodicTask('spec-sweep', 60_000, dataSource, async () => undefined);
    const firstPass = first.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await second.runOnce()).toBe(false);
    release();
    expect(await firstPass).toBe(true);
    expect(await second.runOnce()).toBe(true);
  });

  it('survives a failing pass and runs again', async () => {
    let calls = 0;
    const task = new PeriodicTask('spec-failing', 60_000, dataSource, async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    });
    expect(await task.runOnce()).toBe(false);
    expect(await task.runOnce()).toBe(true);
  });
});
