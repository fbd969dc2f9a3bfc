import { isIP } from 'node:net';
import { DEMO_ORG, DEMO_TOKEN_DAYS, DemoTokens } from './demo-seed';

export interface StartBannerInput {
  /** The configured listen address (HOST) and the port actually bound. */
  host: string;
  port: number;
  /** What serves as PostgreSQL and Redis, without credentials (see DevInfra.summary). */
  postgres: string;
  redis: string;
  /** Present when the process seeded the demo data (`main.js --seed`, what `npm start` runs). */
  tokens?: DemoTokens;
}

/** The base URL a browser on this machine uses for a listen address. */
export function baseUrl(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const name = wildcard ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/**
 * The last thing `npm start` prints: where to go and what to send, so it does not scroll away
 * among the start-up logs. The tokens are written as shell assignments, ready to paste.
 */
export function startBanner({ host, port, postgres, redis, tokens }: StartBannerInput): string {
  const url = baseUrl(host, port);
  const listening = host === '0.0.0.0' || host === '::' ? ` (listening on ${host}, every interface)` : '';
  const lines = [
    '',
    '──────────────────────────────────────────────────────────────────────────',
    ` Contact Enrichment API is ready${listening}`,
    `   API         ${url}/api/v1`,
    `   Swagger UI  ${url}/docs`,
    `   PostgreSQL  ${postgres}`,
    `   Redis       ${redis}`,
  ];
  if (tokens) {
    lines.push(
      ` Demo tokens (valid ${DEMO_TOKEN_DAYS} days; paste into your shell, or into Swagger UI's Authorize):`,
      `   member of ${DEMO_ORG}:   MEMBER_TOKEN=${tokens.member}`,
      `   owner of ${DEMO_ORG}:    OWNER_TOKEN=${tokens.owner}`,
      `   operator (${tokens.adminOrg}): ADMIN_TOKEN=${tokens.admin}`,
    );
  } else {
    lines.push(` Tokens: npm run -s token -- --org ${DEMO_ORG} --sub user_demo`);
  }
  lines.push(' Stop with Ctrl-C.', '──────────────────────────────────────────────────────────────────────────');
  return lines.join('\n');
}
