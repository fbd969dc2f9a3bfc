import { DataSource } from 'typeorm';
import { Role, signToken } from '@app/auth';
import { AppConfig, dataSourceOptions, ensureDatabaseExists } from '@app/core';
import { CreditSource, CreditsService, SpendLimitsService } from '@app/credits';
import { seedPeople } from '@app/leads';

const DEMO_ORG = 'org_demo';
const DEMO_CREDITS = 100_000;
const TOKEN_HOURS = 24 * 30;

/**
 * Migrates, then writes the demo data and prints a member and an admin token; used by
 * `npm run seed` and by `main.js --seed` (what `npm start` runs). Idempotent and
 * deterministic: the same 20,000 people every time, and the demo org's credits are granted
 * once (the grant carries a reference, and a grant is applied once per org and reference).
 */
export async function migrateAndSeed(config: AppConfig): Promise<void> {
  await ensureDatabaseExists(config.DATABASE_URL);
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  try {
    const migrations = await dataSource.runMigrations({ transaction: 'all' });
    const people = await seedPeople(dataSource, Number(process.env.SEED_PEOPLE ?? 20000));
    const credits = new CreditsService(dataSource, config, new SpendLimitsService(dataSource));
    const demo = await dataSource.transaction((manager) =>
      credits.grant(manager, {
        orgId: DEMO_ORG,
        amount: DEMO_CREDITS,
        source: CreditSource.SIGNUP_BONUS,
        description: 'Demo credits',
        referenceId: 'seed:demo',
        createdBy: 'seed',
      }),
    );
    const sign = (sub: string, role: Role) =>
      signToken(
        { sub, org_id: DEMO_ORG, role },
        {
          secret: config.JWT_SECRET,
          expiresInSeconds: TOKEN_HOURS * 3600,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
        },
      );
    console.log(`Migrations applied: ${migrations.length}. People: ${people.total} (${people.inserted} new).`);
    console.log(`Demo org: ${DEMO_ORG}, ${demo.balance.available} credits available`);
    console.log(`MEMBER_TOKEN=${sign('user_demo', Role.MEMBER)}`);
    console.log(`ADMIN_TOKEN=${sign('admin_demo', Role.ADMIN)}`);
  } finally {
    await dataSource.destroy();
  }
}
