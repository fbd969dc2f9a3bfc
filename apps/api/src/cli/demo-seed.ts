import { DataSource } from 'typeorm';
import { Role, signToken } from '@app/auth';
import { AppConfig, dataSourceOptions, ensureDatabaseExists } from '@app/core';
import { CreditSource, CreditsService } from '@app/credits';
import { seedPeople } from '@app/leads';

export const DEMO_ORG = 'org_demo';
const DEMO_CREDITS = 100_000;
export const DEMO_TOKEN_DAYS = 30;

/** Tokens for trying the demo: a member and an owner of the demo org, and a platform operator. */
export interface DemoTokens {
  member: string;
  owner: string;
  /** `role: admin` in the first of ADMIN_ORG_IDS: only an operator org's admin is honoured. */
  admin: string;
  adminOrg: string;
}

/**
 * Migrates, then writes the demo data and returns the demo tokens; used by
 * `npm run seed` and by `main.js --seed` (what `npm start` runs). Idempotent and
 * deterministic: the same 20,000 people every time, and the demo org's credits are granted
 * once (the grant carries a reference, and a grant is applied once per org and reference).
 */
export async function migrateAndSeed(config: AppConfig): Promise<DemoTokens> {
  await ensureDatabaseExists(config.DATABASE_URL);
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  try {
    const migrations = await dataSource.runMigrations({ transaction: 'all' });
    const people = await seedPeople(dataSource, Number(process.env.SEED_PEOPLE ?? 20000));
    const credits = CreditsService.standalone(dataSource, config);
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
    const sign = (sub: string, role: Role, orgId = DEMO_ORG) =>
      signToken(
        { sub, org_id: orgId, role },
        {
          secret: config.JWT_SECRET,
          expiresInSeconds: DEMO_TOKEN_DAYS * 24 * 3600,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
        },
      );
    console.log(`Migrations applied: ${migrations.length}. People: ${people.total} (${people.inserted} new).`);
    console.log(`Demo org: ${DEMO_ORG}, ${demo.balance.available} credits available`);
    const adminOrg = config.ADMIN_ORG_IDS[0] ?? 'org_ops';
    return {
      member: sign('user_demo', Role.MEMBER),
      owner: sign('owner_demo', Role.OWNER),
      admin: sign('admin_demo', Role.ADMIN, adminOrg),
      adminOrg,
    };
  } finally {
    await dataSource.destroy();
  }
}
