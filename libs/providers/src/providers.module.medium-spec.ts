import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { ConfigModule, ContactField, loadConfig } from '@app/core';
import type { LeadContext } from './provider.interface';
import { ProvidersModule } from './providers.module';
import { ProvidersService } from './providers.service';
import { StubRequest, StubVendor, testLead } from './testing/stub-vendor';

// Boots the real module (simulated providers, Redis rate limiter) the way the app does.
const prefix = `test-providers-${process.pid}-${Date.now()}`;

const leads: LeadContext[] = Array.from({ length: 150 }, (_, i) => ({
  id: `lead-${i}`,
  firstName: 'Ana',
  lastName: 'Souza',
  jobTitle: 'Head of Sales',
  companyName: 'Exemplo',
  companyDomain: 'exemplo.com.br',
  country: 'Brazil',
  linkedinUrl: null,
}));

async function boot(env: Record<string, string>) {
  const config = loadConfig({ QUEUE_PREFIX: prefix, SIM_LATENCY_MS: '0', SIM_ERROR_RATE: '0', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), ProvidersModule],
  }).compile();
  return moduleRef.init();
}

describe('ProvidersModule', () => {
  afterAll(async () => {
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('runs the default simulated waterfalls, the same way every time', async () => {
    const app = await boot({});
    try {
      const service = app.get(ProvidersService);
      for (const field of [ContactField.EMAILS, ContactField.PHONES]) {
        const results = await service.runWaterfall(field, leads);
        expect(results.map((r) => r.leadId)).toEqual(leads.map((l) => l.id));
        const found = results.filter((r) => r.data !== null);
        // Two independent providers at 45 % each: about 70 % of the leads are found.
        expect(found.length / leads.length).toBeGreaterThan(0.55);
        expect(found.length / leads.length).toBeLessThan(0.85);
        const kind = field === ContactField.EMAILS ? 'email' : 'phone';
        expect(new Set(found.map((r) => r.provider))).toEqual(new Set([`sim-${kind}-alpha`, `sim-${kind}-beta`]));
        expect(await service.runWaterfall(field, leads)).toEqual(results);
      }
    } finally {
      await app.close();
    }
  });

  it('refuses to boot when a waterfall names a provider of another field', async () => {
    await expect(boot({ PROVIDERS_EMAILS: 'sim-email-alpha,sim-phone-alpha' })).rejects.toThrow(
      'PROVIDERS_EMAILS names "sim-phone-alpha", which provides phones, not emails',
    );
  });

  it('refuses to boot when a vendor is named without its key, saying which setting is missing', async () => {
    await expect(boot({ PROVIDERS_EMAILS: 'hunter,sim-email-alpha', PROVIDERS_PHONES: 'pdl-phones' })).rejects.toThrow(
      /PROVIDERS_EMAILS names "hunter", which needs HUNTER_API_KEY to be set[\s\S]*PROVIDERS_PHONES names "pdl-phones", which needs PDL_API_KEY/,
    );
  });

  describe('HTTP vendors against stubs', () => {
    let apollo: StubVendor;
    let pdl: StubVendor;
    const env = () => ({
      APOLLO_API_KEY: 'apollo-key',
      APOLLO_BASE_URL: apollo.url,
      PDL_API_KEY: 'pdl-key',
      PDL_BASE_URL: pdl.url,
      PDL_MAX_BATCH: '2',
      PROVIDER_RETRY_BASE_MS: '1',
      PROVIDERS_EMAILS: 'apollo-emails,pdl-emails,sim-email-alpha',
    });
    const vendorLeads = ['a', 'b', 'c', 'd', 'e'].map((id) => testLead(id));

    beforeAll(async () => {
      apollo = await StubVendor.start(() => ({ status: 401, json: { error: 'Invalid access credentials.' } }));
      // PDL knows a, c and e.
      pdl = await StubVendor.start((request: StubRequest) => {
        const { requests } = request.body as { requests: Array<{ metadata: { lead_id: string } }> };
        return {
          json: requests.map(({ metadata }) =>
            ['a', 'c', 'e'].includes(metadata.lead_id)
              ? { status: 200, data: { work_email: `${metadata.lead_id}@acme.com` }, metadata }
              : { status: 404, metadata },
          ),
        };
      });
    });
    afterAll(async () => {
      await apollo.close();
      await pdl.close();
    });

    it('skips a provider that answers 401, in every process, and batches by each provider’s size', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation();
      const first = await boot(env());
      const second = await boot(env());
      try {
        const results = await first.get(ProvidersService).runWaterfall(ContactField.EMAILS, vendorLeads);
        expect([0, 2, 4].map((i) => results[i].provider)).toEqual(['pdl-emails', 'pdl-emails', 'pdl-emails']);
        expect(results.some((r) => r.provider === 'apollo-emails')).toBe(false);
        expect(results[0].data).toEqual({ emails: [{ address: 'a@acme.com', verificationStatus: 'likely' }] });
        expect(apollo.requests).toHaveLength(1);
        expect(error).toHaveBeenCalledWith(expect.stringContaining('apollo-emails'));
        // PDL_MAX_BATCH=2: five leads go in three calls.
        expect(pdl.requests.map((r) => (r.body as { requests: unknown[] }).requests.length)).toEqual([2, 2, 1]);

        // Another process sees the switch in Redis: it does not call Apollo at all.
        await second.get(ProvidersService).runWaterfall(ContactField.EMAILS, vendorLeads);
        expect(apollo.requests).toHaveLength(1);
        expect((await second.get(ProvidersService).health()).find((h) => h.name === 'apollo-emails')).toEqual({
          name: 'apollo-emails',
          field: ContactField.EMAILS,
          state: 'disabled',
          reason: expect.stringContaining('401'),
        });

        // A new key is not held to the old key's ban.
        const rotated = await boot({ ...env(), APOLLO_API_KEY: 'rotated-key' });
        try {
          const health = await rotated.get(ProvidersService).health();
          expect(health.find((h) => h.name === 'apollo-emails')?.state).toBe('up');
        } finally {
          await rotated.close();
        }
      } finally {
        await first.close();
        await second.close();
        error.mockRestore();
      }
    });
  });
});
