import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Role, signToken } from '@app/auth';
import { loadConfig } from '@app/core';

/** `npm run token -- --org X --sub Y [--role admin] [--hours 24]`: a token for local use. */
function main(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({
    options: {
      org: { type: 'string' },
      sub: { type: 'string', default: 'user_local' },
      role: { type: 'string', default: Role.MEMBER },
      hours: { type: 'string', default: '24' },
    },
  });
  const role = values.role as Role;
  const hours = Number(values.hours);
  if (!values.org || !Object.values(Role).includes(role) || !Number.isFinite(hours) || hours <= 0) {
    console.error('Usage: npm run token -- --org <orgId> [--sub <userId>] [--role member|owner|admin] [--hours 24]');
    process.exit(2);
  }
  const config = loadConfig();
  if (config.JWT_PUBLIC_KEY) {
    console.error('JWT_PUBLIC_KEY is set (RS256): tokens come from your identity provider, not from this command.');
    process.exit(2);
  }
  const token = signToken(
    { sub: values.sub ?? 'user_local', org_id: values.org, role },
    {
      secret: config.JWT_SECRET,
      expiresInSeconds: Math.round(hours * 3600),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    },
  );
  console.log(token);
}

main();
