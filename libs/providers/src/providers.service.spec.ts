import { Logger } from '@nestjs/common';
import { AppConfig, ContactField } from '@app/core';
import { ProviderError } from './provider.errors';
import type { EnrichmentProvider, FoundContactData, LeadContext, ProviderAnswer } from './provider.interface';
import { ProviderRegistry } from './provider.registry';
import { ProvidersService } from './providers.service';
import type { ProviderRateLimiter } from './rate-limit/provider-rate-limiter';

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
  const acquire = (name: string): Promise<void> => {
    if (failAcquire) return Promise.reject(failAcquire);
    acquired.push(name);
    return Promise.resolve();
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
  });
  const registry = new ProviderRegistry([...providers, phones], config);
  registry.onModuleInit();
  const rateLimiter: Pick<ProviderRateLimiter, 'acquire'> = { acquire };
  const service = new ProvidersService(registry, rateLimiter as ProviderRateLimiter);
  return { service, acquired };
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
    const { service, acquired } = setup([small, big]);

    const results = await service.runWaterfall(ContactField.EMAILS, ids('a', 'b', 'c', 'd', 'e', 'f', 'g'));

    expect(small.batches).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g']]);
    expect(big.batches).toEqual([['b', 'c', 'd', 'f', 'g']]);
    expect(acquired).toEqual(['small', 'small', 'small', 'small', 'big']);
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
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Skipping flaky for 5 emails lookups'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('invalid request (400)'));
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
});
