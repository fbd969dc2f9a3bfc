import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes a value that arrives in time through, leaving no timer behind', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000, 'answer')).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes the work’s own failure through', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 1000, 'answer')).rejects.toThrow('refused');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects naming what did not answer once the time is up', async () => {
    const never = new Promise<never>(() => undefined);
    const result = withTimeout(never, 1000, 'Redis');
    jest.advanceTimersByTime(1000);
    await expect(result).rejects.toThrow('Redis did not answer within 1000 ms');
  });
});
