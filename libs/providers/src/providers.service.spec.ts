import { Logger } from '@nestjs/common';
import { AppConfig, ContactField } from '@app/core';
import { ProviderAuthError, ProviderError } from './provider.errors';
import type { EnrichmentProvider, FoundContactData, LeadContext, ProviderAnswer } from './provider.interface';
import { ProviderRegistry } from './provider.registry';
import { ProvidersService } from './providers.service';
import type { ProviderRateLimiter, RateLimitSlot } from './rate-limit/provider-rate-limiter';
import { ProviderCircuitBreakers } from './resilience/provider-circuit-breakers';
import type { ProviderDisableStore } from './resilience/provider-disable-store';

function lead(id: string): LeadContext {
  return {
    id,
    firstName: 'Jane',
    lastName: 'Doe',
    jobTitle: 'CTO',
    companyName: 'Acme',
    companyDomain: 'acme.com',
    country: 'France',
    linkedinUrl: null,
  };
}

const emailOf = (provider: string, id: string): FoundContactData => ({
  emails: [{ address: `${id}@${provider}.test`, verificationStatus: 'verified' }],
});

/** A provider that knows the given lead ids and records the batches it is sent. */
class FakeProvider implements EnrichmentProvider {
  readonly field = ContactField.EMAILS;
  readonly batches: string[][] = [];
  failure: Error | null = null;

  constructor(
    readonly name: string,
    private readonly knows: readonly string[],
    readonly maxBatchSize = 100,
  ) {}

  lookup(leads: readonly LeadContext[]): Promise<ProviderAnswer> {
    this.batches.push(leads.map((l) => l.id));
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(
      new Map(leads.filter((l) => this.knows.includes(l.id)).map((l) => [l.id, emailOf(this.name, l.id)])),
    );
  }
}

/** The service over an emails waterfall of `providers`; the rate limiter records its tokens. */
function setup(providers: FakeProvider[], failAcquire?: Error) {
  const acquired: string[] = [];
  const released: string[] = [];
  const acquire = (name: string): Promise<RateLimitSlot> => {
    if (failAcquire) return Promise.reject(failAcquire);
    acquired.push(name);
    return Promise.resolve({ release: () => Promise.resolve(void released.push(name)) });
  };
  const phones: EnrichmentProvider = {
    name: 'phones',
    field: ContactField.PHONES,
    maxBatchSize: 100,
    lookup: jest.fn(),
  };
  const config = Object.assign(new AppConfig(), {
    PROVIDERS_EMAILS: providers.map((p) => p.name),
    PROVIDERS_PHONES: ['phones'],
    PROVIDER_CIRCUIT_MIN_CALLS: 2,
    PROVIDER_CIRCUIT_RESET_MS: 5000,
  });
  const registry = new ProviderRegistry([...providers, phones], config);
  registry.onModuleInit();
  const rateLimiter: Pick<ProviderRateLimiter, 'acquire'> = { acquire };
  const disableStore = new MemoryDisableStore();
  const breakers = new ProviderCircuitBreakers(config);
  const service = new ProvidersService(
    registry,
    rateLimiter as ProviderRateLimiter,
    breakers,
    disableStore as unknown as ProviderDisableStore,
    config,
  );
  return { service, acquired, released, disableStore };
}

/** The disable switch without Redis (its Redis side has its own spec). */
class MemoryDisableStore implements Pick<ProviderDisableStore, 'disable' | 'disabledReason'> {
  readonly reasons = new Map<string, string>();
  disable(provider: EnrichmentProvider, reason: string): Promise<void> {
    this.reasons.set(provider.name, reason);
    return Promise.resolve();
  }
  disabledReason(provider: EnrichmentProvider): Promise<string | null> {
    return Promise.resolve(this.reasons.get(provider.name) ?? null);
  }
}

const ids = (...values: string[]) => values.map(lead);

describe('ProvidersService.runWaterfall', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
  });
  afterEach(() => jest.restoreAllMocks());

  it('sends the next provider only the leads still not found, and keeps input order', async () => {
    const first = new FakeProvider('first', ['b', 'd']);
    const second = new FakeProvider('second', ['a', 'b', 'c']);
    const third = new FakeProvider('third', ['e']);
    const { service } = setup([first, second, third]);

    const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b', 'c', 'd', 'e', 'f'));

    expect(first.batches).toEqual([['a', 'b', 'c', 'd', 'e', 'f']]);
    expect(second.batches).toEqual([['a', 'c', 'e', 'f']]);
    expect(third.batches).toEqual([['e', 'f']]);
    expect(results).toEqual([
      { leadId: 'a', data: emailOf('second', 'a'), provider: 'second' },
      { leadId: 'b', data: emailOf('first', 'b'), provider: 'first' },
      { leadId: 'c', data: emailOf('second', 'c'), provider: 'second' },
      { leadId: 'd', data: emailOf('first', 'd'), provider: 'first' },
      { leadId: 'e', data: emailOf('third', 'e'), provider: 'third' },
      { leadId: 'f', data: null, provider: null },
    ]);
  });

  it('stops asking once every lead is found', async () => {
    const first = new FakeProvider('first', ['a', 'b']);
    const second = new FakeProvider('second', ['a']);
    const { service, acquired } = setup([first, second]);
    await service.runWaterfall(ContactField.EMAILS, ids('a', 'b'));
    expect(second.batches).toEqual([]);
    expect(acquired).toEqual(['first']);
  });

  it('splits the leads into the provider’s batch size, one rate-limit token per call', async () => {
    const small = new FakeProvider('small', ['a', 'e'], 2);
    const big = new FakeProvider('big', ['g']);
    const { service, acquired, released } = setup([small, big]);

    const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b', 'c', 'd', 'e', 'f', 'g'));

    expect(small.batches).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g']]);
    expect(big.batches).toEqual([['b', 'c', 'd', 'f', 'g']]);
    expect(acquired).toEqual(['small', 'small', 'small', 'small', 'big']);
    // Every slot is given back once its request ended.
    expect(released).toEqual(acquired);
    expect(results.map((r) => r.provider)).toEqual(['small', null, null, null, 'small', null, 'big']);
  });

  it('asks about a lead given twice only once, and answers for both positions', async () => {
    const only = new FakeProvider('only', ['a']);
    const { service } = setup([only]);
    const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b', 'a'));
    expect(only.batches).toEqual([['a', 'b']]);
    expect(results.map((r) => [r.leadId, r.provider])).toEqual([
      ['a', 'only'],
      ['b', null],
      ['a', 'only'],
    ]);
  });

  it('ignores data for leads it did not ask about', async () => {
    const chatty = new FakeProvider('chatty', []);
    chatty.lookup = () => Promise.resolve(new Map([['x', emailOf('chatty', 'x')]]));
    const { service } = setup([chatty]);
    expect(await service.runWaterfall(ContactField.EMAILS, ids('a'))).toEqual([
      { leadId: 'a', data: null, provider: null },
    ]);
  });

  it('skips a provider on a non-retryable error, keeping what it found before, and warns', async () => {
    const flaky = new FakeProvider('flaky', ['a', 'c'], 2);
    const fallback = new FakeProvider('fallback', ['b', 'c', 'd']);
    const { service } = setup([flaky, fallback]);
    const lookup = flaky.lookup.bind(flaky);
    flaky.lookup = (leads) => {
      if (flaky.batches.length === 1) flaky.failure = new ProviderError('flaky', 'invalid request (400)', false);
      return lookup(leads);
    };

    const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b', 'c', 'd', 'e'));

    expect(flaky.batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(fallback.batches).toEqual([['b', 'c', 'd', 'e']]);
    expect(results.map((r) => r.provider)).toEqual(['flaky', 'fallback', 'fallback', 'fallback', null]);
    // Logged, naming the provider skipped and the vendor's status (the wording is free to change).
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('flaky'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('400'));
  });

  it('re-throws a retryable provider error without asking further providers', async () => {
    const down = new FakeProvider('down', []);
    down.failure = new ProviderError('down', 'upstream error (503)', true);
    const next = new FakeProvider('next', ['a']);
    const { service } = setup([down, next]);

    await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toBe(down.failure);
    expect(next.batches).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('re-throws an unexpected error', async () => {
    const broken = new FakeProvider('broken', []);
    broken.failure = new TypeError('cannot read properties of undefined');
    const { service } = setup([broken, new FakeProvider('next', ['a'])]);
    await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toBe(broken.failure);
  });

  it('re-throws a rate-limiter failure', async () => {
    const only = new FakeProvider('only', ['a']);
    const redisDown = new Error('Connection is closed.');
    const { service } = setup([only], redisDown);
    await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toBe(redisDown);
    expect(only.batches).toEqual([]);
  });

  it('returns an empty list for no leads without calling anyone', async () => {
    const only = new FakeProvider('only', []);
    const { service, acquired } = setup([only]);
    expect(await service.runWaterfall(ContactField.EMAILS, [])).toEqual([]);
    expect(acquired).toEqual([]);
  });

  describe('disabled providers (refused credentials)', () => {
    it('disables a provider on refused credentials, logs it, and moves on for this batch and the next', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation();
      const locked = new FakeProvider('locked', ['a']);
      locked.failure = new ProviderAuthError('locked', 'GET /find → 401 (credentials refused)');
      const next = new FakeProvider('next', ['a', 'b']);
      const { service, disableStore } = setup([locked, next]);

      const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b', 'c'));
      expect(results.map((r) => r.provider)).toEqual(['next', 'next', null]);
      expect(disableStore.reasons.get('locked')).toContain('401');
      expect(error).toHaveBeenCalledWith(expect.stringContaining('locked'));

      await service.runWaterfall(ContactField.EMAILS, ids('d'));
      expect(locked.batches).toEqual([['a', 'b', 'c']]);
      expect(next.batches).toEqual([['a', 'b', 'c'], ['d']]);
      expect(await service.health()).toContainEqual({
        name: 'locked',
        field: ContactField.EMAILS,
        state: 'disabled',
        reason: expect.stringContaining('401'),
      });
    });

    it('fails retryably rather than report "not found" when no provider could be asked', async () => {
      jest.spyOn(Logger.prototype, 'error').mockImplementation();
      const only = new FakeProvider('only', ['a']);
      only.failure = new ProviderAuthError('only', '401');
      const { service } = setup([only]);
      await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toMatchObject({
        retryable: true,
        message: expect.stringContaining('no emails provider could be asked about 1 lead(s) (only was disabled'),
      });
    });
  });

  describe('circuit breaker', () => {
    afterEach(() => jest.useRealTimers());

    /** Two retryable failures (PROVIDER_CIRCUIT_MIN_CALLS = 2) open the circuit of `down`. */
    async function openCircuit(service: ProvidersService, down: FakeProvider): Promise<void> {
      down.failure = new ProviderError('down', 'GET /x → 503 (server error); gave up after 3 attempt(s)', true);
      for (let i = 0; i < 2; i += 1) {
        await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toBe(down.failure);
      }
    }

    it('opens after repeated failures; then the provider is skipped and the next one still asked', async () => {
      const down = new FakeProvider('down', ['a', 'b']);
      const next = new FakeProvider('next', ['a', 'b']);
      const { service, acquired } = setup([down, next]);
      await openCircuit(service, down);
      acquired.length = 0;

      const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b'));
      expect(results.map((r) => r.provider)).toEqual(['next', 'next']);
      expect(down.batches).toHaveLength(2);
      // No rate-limit token is spent on a provider that is not called.
      expect(acquired).toEqual(['next']);
      expect(await service.health()).toContainEqual({
        name: 'down',
        field: ContactField.EMAILS,
        state: 'circuit_open',
        reason: expect.stringContaining('503'),
      });
    });

    it('never reports a lead "not found" because a provider was down: the job is retried', async () => {
      const down = new FakeProvider('down', ['a']);
      const next = new FakeProvider('next', ['b']);
      const { service } = setup([down, next]);
      await openCircuit(service, down);

      await expect(service.runWaterfall(ContactField.EMAILS, ids('a', 'b'))).rejects.toMatchObject({
        retryable: true,
        message: expect.stringContaining('circuit open: 1 emails lookup(s)'),
      });
      expect(next.batches).toEqual([['a', 'b']]);
    });

    it('does not count rejected requests or refused credentials as failures', async () => {
      const picky = new FakeProvider('picky', []);
      picky.failure = new ProviderError('picky', '400', false);
      const { service } = setup([picky, new FakeProvider('next', ['a'])]);
      for (let i = 0; i < 4; i += 1) await service.runWaterfall(ContactField.EMAILS, ids('a'));
      expect(picky.batches).toHaveLength(4);
      expect((await service.health()).find((h) => h.name === 'picky')?.state).toBe('up');
    });

    it('probes again after the cool-down (half-open) and closes on success', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
      const down = new FakeProvider('down', ['a']);
      const { service } = setup([down, new FakeProvider('next', [])]);
      await openCircuit(service, down);
      await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toThrow(/circuit open/);
      expect(down.batches).toHaveLength(2);

      jest.advanceTimersByTime(5000);
      down.failure = null;
      const [result] = await service.runWaterfall(ContactField.EMAILS, ids('a'));
      expect(result.provider).toBe('down');
      expect(down.batches).toHaveLength(3);
      expect((await service.health()).find((h) => h.name === 'down')?.state).toBe('up');
    });

    it('opens again when the probe fails', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
      const down = new FakeProvider('down', ['a']);
      const { service } = setup([down]);
      await openCircuit(service, down);
      jest.advanceTimersByTime(5000);
      await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toBe(down.failure);
      expect(down.batches).toHaveLength(3);
      await expect(service.runWaterfall(ContactField.EMAILS, ids('a'))).rejects.toThrow(/circuit open/);
      expect(down.batches).toHaveLength(3);
    });
  });

  it('reports every enabled provider as up by default, in waterfall order', async () => {
    const { service } = setup([new FakeProvider('first', []), new FakeProvider('second', [])]);
    expect(await service.health()).toEqual([
      { name: 'first', field: ContactField.EMAILS, state: 'up' },
      { name: 'second', field: ContactField.EMAILS, state: 'up' },
      { name: 'phones', field: ContactField.PHONES, state: 'up' },
    ]);
  });
});
