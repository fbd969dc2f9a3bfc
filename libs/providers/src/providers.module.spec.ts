import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { ConfigModule, ContactField, loadConfig } from '@app/core';
import type { LeadContext } from './provider.interface';
import { ProvidersModule } from './providers.module';
import { ProvidersService } from './providers.service';

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
});
