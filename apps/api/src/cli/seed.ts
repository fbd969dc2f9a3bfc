import { existsSync } from 'node:fs';
import { loadConfig } from '@app/core';
import { ensureDevInfra } from '@app/core/dev-infra';
import { migrateAndSeed } from './demo-seed';

/** `npm run seed`: migrates and writes the demo data (see migrateAndSeed), prints the demo tokens and exits. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // The seed needs no Redis: only PostgreSQL may fall back to the embedded one.
  const infra = await ensureDevInfra({ redis: false });
  try {
    const tokens = await migrateAndSeed(loadConfig());
    console.log(`MEMBER_TOKEN=${tokens.member}`);
    console.log(`OWNER_TOKEN=${tokens.owner}`);
    console.log(`ADMIN_TOKEN=${tokens.admin}`);
  } finally {
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
