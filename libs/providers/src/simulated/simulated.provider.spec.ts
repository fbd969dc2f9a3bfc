import { AppConfig, ContactField } from '@app/core';
import { ProviderError } from '../provider.errors';
import type { FoundContactData, FoundEmail, FoundPhone, LeadContext } from '../provider.interface';
import { createSimulatedProviders, SimulatedProvider, SimulatedProviderOptions } from './simulated.provider';
import { isE164 } from '../adapters/contact-mapping';

const EMAIL = /^[a-z]+(\.[a-z]+)?@[a-z0-9.-]+\.[a-z]{2,}$/;

function lead(i: number, overrides: Partial<LeadContext> = {}): LeadContext {
  return {
    id: `lead-${i}`,
    firstName: 'Jane',
    lastName: 'Doe',
    jobTitle: 'CTO',
    companyName: 'Acme',
    companyDomain: 'acme.com',
    country: 'United States',
    linkedinUrl: null,
    ...overrides,
  };
}

function provider(options: Partial<SimulatedProviderOptions> = {}): SimulatedProvider {
  return new SimulatedProvider({
    name: 'sim-test',
    field: ContactField.EMAILS,
    hitRate: 1,
    latencyMs: 0,
    errorRate: 0,
    maxBatchSize: 2000,
    ...options,
  });
}

const leads = (count: number, overrides: Partial<LeadContext> = {}) =>
  Array.from({ length: count }, (_, i) => lead(i, overrides));

function emailsOf(data: FoundContactData | undefined): FoundEmail[] {
  if (!data || !('emails' in data)) throw new Error(`expected emails, got ${JSON.stringify(data)}`);
  return data.emails;
}

function phonesOf(data: FoundContactData | undefined): FoundPhone[] {
  if (!data || !('phones' in data)) throw new Error(`expected phones, got ${JSON.stringify(data)}`);
  return data.phones;
}

describe('SimulatedProvider', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives the same lead the same answer every time', async () => {
    const sim = provider({ hitRate: 0.5 });
    const batch = leads(200);
    const first = await sim.lookup(batch);
    const again = await provider({ hitRate: 0.5 }).lookup([...batch].reverse());
    expect(again).toEqual(first);
  });

  it('answers for a lead the same whatever else is in the batch', async () => {
    const sim = provider({ hitRate: 0.5 });
    const all = await sim.lookup(leads(50));
    for (const one of leads(50)) {
      expect((await sim.lookup([one])).get(one.id)).toEqual(all.get(one.id));
    }
  });

  it.each([0.1, 0.45, 0.9])('respects a hit rate of %p within 5 points over 2,000 leads', async (hitRate) => {
    const answer = await provider({ hitRate }).lookup(leads(2000));
    expect(Math.abs(answer.size / 2000 - hitRate)).toBeLessThanOrEqual(0.05);
  });

  it('finds nothing at hit rate 0 and everything at hit rate 1', async () => {
    expect((await provider({ hitRate: 0 }).lookup(leads(100))).size).toBe(0);
    expect((await provider({ hitRate: 1 }).lookup(leads(100))).size).toBe(100);
  });

  it('knows different leads under different names, the same ones under the same seed', async () => {
    const batch = leads(400);
    const alpha = await provider({ name: 'alpha', hitRate: 0.5 }).lookup(batch);
    const beta = await provider({ name: 'beta', hitRate: 0.5 }).lookup(batch);
    const betaSeededAlpha = await provider({ name: 'beta', seed: 'alpha', hitRate: 0.5 }).lookup(batch);
    expect([...beta.keys()]).not.toEqual([...alpha.keys()]);
    expect([...betaSeededAlpha.keys()]).toEqual([...alpha.keys()]);
  });

  describe('emails', () => {
    it('builds 1–2 lower-case corporate addresses at the company domain', async () => {
      const answer = await provider().lookup(leads(300));
      const counts = new Set<number>();
      const locals = new Set<string>();
      for (const data of answer.values()) {
        const emails = emailsOf(data);
        counts.add(emails.length);
        for (const email of emails) {
          expect(email.address).toMatch(EMAIL);
          expect(email.address.endsWith('@acme.com')).toBe(true);
          expect(['verified', 'likely', 'unverified']).toContain(email.verificationStatus);
          locals.add(email.address.split('@')[0]);
        }
        expect(new Set(emails.map((e) => e.address)).size).toBe(emails.length);
      }
      expect(counts).toEqual(new Set([1, 2]));
      expect(locals).toEqual(new Set(['jane.doe', 'j.doe', 'jane']));
    });

    it('strips accents and anything but letters from names', async () => {
      const answer = await provider().lookup(
        leads(50, { firstName: ' José-María ', lastName: "O'Brien Núñez", companyDomain: 'Example.CO.uk' }),
      );
      const addresses = [...answer.values()].flatMap((data) => emailsOf(data).map((e) => e.address));
      expect(new Set(addresses)).toEqual(
        new Set(['josemaria.obriennunez@example.co.uk', 'j.obriennunez@example.co.uk', 'josemaria@example.co.uk']),
      );
    });

    it('finds no email without a usable name or domain', async () => {
      expect((await provider().lookup(leads(20, { firstName: '李', lastName: '王' }))).size).toBe(0);
      expect((await provider().lookup(leads(20, { companyDomain: '' }))).size).toBe(0);
    });
  });

  describe('phones', () => {
    const phones = provider({ field: ContactField.PHONES });

    it.each([
      ['United States', '+1', 10],
      ['Canada', '+1', 10],
      ['United Kingdom', '+44', 10],
      ['Germany', '+49', 10],
      ['France', '+33', 9],
      ['India', '+91', 10],
      ['Australia', '+61', 9],
      ['Netherlands', '+31', 9],
      ['Spain', '+34', 9],
      ['Brazil', '+55', 11],
      ['Singapore', '+65', 8],
      ['Atlantis', '+1', 10],
    ])('gives %s leads E.164 numbers with %s and %p national digits', async (country, code, digits) => {
      const answer = await phones.lookup(leads(40, { country }));
      expect(answer.size).toBe(40);
      for (const data of answer.values()) {
        for (const phone of phonesOf(data)) {
          expect(isE164(phone.number)).toBe(true);
          expect(phone.number.startsWith(code)).toBe(true);
          expect(phone.number.length).toBe(code.length + digits);
          expect(['mobile', 'direct', 'office']).toContain(phone.type);
        }
      }
    });

    it('recognises common spellings and codes of a country', async () => {
      for (const country of ['UK', 'gb', 'United  Kingdom']) {
        const [data] = (await phones.lookup([lead(1, { country })])).values();
        expect(phonesOf(data)[0].number.startsWith('+44')).toBe(true);
      }
    });

    it('gives 1–2 numbers of distinct types', async () => {
      const answer = await phones.lookup(leads(200));
      const counts = new Set<number>();
      for (const data of answer.values()) {
        const found = phonesOf(data);
        counts.add(found.length);
        expect(new Set(found.map((p) => p.type)).size).toBe(found.length);
      }
      expect(counts).toEqual(new Set([1, 2]));
    });
  });

  describe('failures', () => {
    it('fails with a retryable 503 at the configured error rate', async () => {
      jest.spyOn(Math, 'random').mockReturnValue(0.29);
      const call = provider({ errorRate: 0.3 }).lookup(leads(1));
      await expect(call).rejects.toThrow(ProviderError);
      await expect(call).rejects.toMatchObject({ provider: 'sim-test', retryable: true });
      await expect(call).rejects.toThrow('sim-test: simulated upstream error (503)');
    });

    it('answers when the draw is above the error rate', async () => {
      jest.spyOn(Math, 'random').mockReturnValue(0.3);
      await expect(provider({ errorRate: 0.3 }).lookup(leads(1))).resolves.toBeInstanceOf(Map);
    });

    it('rejects a batch above its maximum as a non-retryable error', async () => {
      await expect(provider({ maxBatchSize: 2 }).lookup(leads(3))).rejects.toMatchObject({
        name: 'ProviderError',
        retryable: false,
      });
    });
  });

  it('waits its latency once per call, not per lead', async () => {
    jest.useFakeTimers();
    try {
      let done = false;
      const call = provider({ latencyMs: 200 })
        .lookup(leads(50))
        .then(() => (done = true));
      await jest.advanceTimersByTimeAsync(199);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await call;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('createSimulatedProviders', () => {
  const config = (settings: Partial<AppConfig>) => Object.assign(new AppConfig(), { SIM_LATENCY_MS: 0 }, settings);

  it('builds the four default providers', () => {
    expect(createSimulatedProviders(new AppConfig()).map((p) => [p.name, p.field, p.maxBatchSize])).toEqual([
      ['sim-email-alpha', ContactField.EMAILS, 100],
      ['sim-email-beta', ContactField.EMAILS, 100],
      ['sim-phone-alpha', ContactField.PHONES, 100],
      ['sim-phone-beta', ContactField.PHONES, 100],
    ]);
  });

  it('applies SIM_HIT_RATE and SIM_ERROR_RATE to every one of them', async () => {
    for (const sim of createSimulatedProviders(config({ SIM_HIT_RATE: 0 }))) {
      expect((await sim.lookup(leads(50))).size).toBe(0);
    }
    for (const sim of createSimulatedProviders(config({ SIM_ERROR_RATE: 1 }))) {
      await expect(sim.lookup(leads(1))).rejects.toMatchObject({ retryable: true });
    }
  });
});
