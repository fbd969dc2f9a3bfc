import { inspect } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MinLength, validateSync } from 'class-validator';
import { FAULT_INJECT_VALUES } from '../idempotency/fault-injection';
import { EnvBool, EnvFloat, EnvInt, EnvList, EnvUrl, redactConfig, Secret } from './env-decorators';
import { vendorsView, type VendorsConfig } from './vendors-config';

/**
 * Every knob of the service, read once from the environment and validated at boot.
 * Defaults make a fresh clone run against the local PostgreSQL and Redis; production
 * must set its token key itself (JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL) — see `jwtKeyModeProblems`.
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @EnvInt({ min: 0, max: 65535 })
  PORT = 3000;

  /**
   * The address the API listens on. When unset: 127.0.0.1 (this machine only) in development
   * and tests, 0.0.0.0 (every interface) in production, where a load balancer or a container
   * runtime has to reach it. `::` listens on every IPv6 and IPv4 interface.
   */
  @IsString()
  @Matches(/^[A-Za-z0-9.:_-]+$/, { message: 'HOST must be an IP address or a host name' })
  HOST = '127.0.0.1';

  /**
   * Where clients reach the API (scheme, host, optional path; no trailing slash): the OpenAPI
   * document's `servers`, so generated clients and Swagger UI call the right place. Empty:
   * http://localhost:<PORT>.
   */
  @IsString()
  @Matches(/^(https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s/?#])?)?$/, {
    message: 'PUBLIC_URL must be empty or an http(s) URL without a trailing slash, query or fragment',
  })
  PUBLIC_URL = '';

  @Secret('url-credentials')
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/enrichment';

  @Secret('url-credentials')
  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Connections in each process's PostgreSQL pool (the embedded fallback lowers it, see dev-infra). */
  @EnvInt({ min: 1, max: 500 })
  DATABASE_POOL_SIZE = 20;

  /**
   * The statements every request and job sends run as named prepared statements (see
   * queryPrepared): parsed once per connection, planned once. Off where one database session
   * serves several connections — a pooler in transaction mode (PgBouncer before 1.21), the
   * embedded fallback (it sets this itself) — since a prepared statement belongs to a session.
   */
  @EnvBool()
  DATABASE_PREPARED_STATEMENTS = true;

  /**
   * With NODE_ENV=development only: when nothing answers at DATABASE_URL, run an embedded
   * PostgreSQL (PGlite); when nothing answers at REDIS_URL, start a local redis-server. A
   * newcomer's `npm start` then works without installing PostgreSQL. Never in tests or production.
   */
  @EnvBool()
  EMBEDDED_FALLBACK = true;

  /** Where the embedded PostgreSQL keeps its data (`<dir>/pglite`) and redis-server its directory (`<dir>/redis`). */
  @IsString()
  @MinLength(1)
  EMBEDDED_DATA_DIR = '.data';

  /** Prefix for every Redis key of this deployment, so tests and instances can share a server. */
  @IsString()
  @Matches(/^[a-z0-9_-]+$/i, { message: 'QUEUE_PREFIX may hold letters, digits, _ and - only' })
  QUEUE_PREFIX = 'enrichment';

  @Secret()
  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET = 'dev-only-secret-change-me-0123456789';

  /** PEM public key (RSA or P-256); when set, tokens are verified with RS256 or ES256 instead of HS256. */
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'JWT_PUBLIC_KEY must be a PEM public key' })
  JWT_PUBLIC_KEY?: string;

  /**
   * An identity provider's JWKS URL; when set, RS256/ES256 tokens are verified against its keys,
   * fetched and cached by `kid` (a token with an unknown kid refetches, at most once per cooldown).
   */
  @IsOptional()
  @EnvUrl()
  JWT_JWKS_URL?: string;

  /** The shortest time between two JWKS fetches (an unknown kid does not refetch sooner). */
  @EnvInt({ min: 0 })
  JWT_JWKS_COOLDOWN_MS = 30000;

  /** How long a fetched JWKS is used before it is fetched again, so removed keys stop verifying. */
  @EnvInt({ min: 1000 })
  JWT_JWKS_CACHE_MAX_AGE_MS = 600000;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  /**
   * The platform operators' orgs: a token's `role: admin` is honoured only when its `org_id` is
   * one of these, so a customer whose identity provider calls its own staff "admin" gets no
   * operator rights (it is treated as an owner of its own org).
   */
  @EnvList()
  ADMIN_ORG_IDS: string[] = ['org_ops'];

  /**
   * Browser origins allowed to call the API (CORS), exact `scheme://host[:port]` values,
   * comma-separated. Empty: CORS off (no Access-Control-* headers). `*` (any origin) is
   * refused in production.
   */
  @EnvList()
  CORS_ORIGINS: string[] = [];

  @EnvInt({ min: 1 })
  PRICE_EMAILS = 5;

  @EnvInt({ min: 1 })
  PRICE_PHONES = 20;

  /**
   * The largest single admin grant: a typo (an extra zero or three) is refused with a 400
   * instead of minting credits. Balances are 64-bit, so this is a safety limit, not a storage one.
   */
  @EnvInt({ min: 1, max: 1_000_000_000_000 })
  MAX_GRANT = 100_000_000;

  /** Enrichments per queue job, at least (a request's last job takes what is left). */
  @EnvInt({ min: 1, max: 1000 })
  ENRICHMENT_BATCH_SIZE = 50;

  /**
   * The most jobs one request's enrichments are spread over: a large request's jobs grow past
   * ENRICHMENT_BATCH_SIZE instead of multiplying. Every job has a fixed cost (its claim, its two
   * transactions, the account lock, the queue's round trips) that a bigger job shares among more
   * leads; a request of up to this many batches still gets one job per batch, so the workers
   * still share it. Four: what two worker processes at the default concurrency run at once.
   */
  @EnvInt({ min: 1, max: 1000 })
  ENRICHMENT_JOBS_PER_REQUEST = 4;

  /** Whether the API process also runs the queue processors. */
  @EnvBool()
  RUN_WORKERS = true;

  @EnvInt({ min: 1, max: 64 })
  WORKER_CONCURRENCY = 2;

  @EnvInt({ min: 1, max: 20 })
  JOB_ATTEMPTS = 3;

  @EnvInt({ min: 0 })
  JOB_BACKOFF_MS = 1000;

  /** How often the recovery sweep looks for pending enrichments without a live job. */
  @EnvInt({ min: 100 })
  RECOVERY_SWEEP_INTERVAL_MS = 15000;

  /** A pending enrichment is re-queued once it has waited this long without a live job. */
  @EnvInt({ min: 0 })
  RECOVERY_STALE_AFTER_MS = 10000;

  /**
   * How long a worker's lock on a running job lasts without renewal; Bull checks for stalled
   * jobs (their worker died) at the same interval and runs them again.
   */
  @EnvInt({ min: 1000 })
  JOB_LOCK_DURATION_MS = 30000;

  /**
   * A `processing` claim not renewed for this long is treated as abandoned by a dead worker; a
   * running job renews its claim every third of it while the providers answer.
   */
  @EnvInt({ min: 1000 })
  PROCESSING_LEASE_MS = 120000;

  /**
   * An enrichment not finished this long after it was requested times out: status `timeout`,
   * its hold released (the customer never pays for work that did not happen).
   */
  @EnvInt({ min: 1000 })
  ENRICHMENT_MAX_AGE_MS = 1_800_000;

  /** A result found for any org within this many days is reused without a provider call. */
  @EnvInt({ min: 0 })
  GLOBAL_CACHE_FRESHNESS_DAYS = 90;

  /**
   * Found contact data no provider has confirmed for this many days is purged from the
   * global cache and from every org's enrichments (which keep dataFound and get purgedAt).
   * 0 keeps it forever.
   */
  @EnvInt({ min: 0 })
  DATA_RETENTION_DAYS = 365;

  /** How often the retention sweep runs (one pass at a time across processes). */
  @EnvInt({ min: 100 })
  RETENTION_SWEEP_INTERVAL_MS = 3_600_000;

  @EnvList()
  PROVIDERS_EMAILS: string[] = ['sim-email-alpha', 'sim-email-beta'];

  @EnvList()
  PROVIDERS_PHONES: string[] = ['sim-phone-alpha', 'sim-phone-beta'];

  /** Probability that one simulated provider knows a given lead. */
  @EnvFloat({ min: 0, max: 1 })
  SIM_HIT_RATE = 0.45;

  @EnvInt({ min: 0 })
  SIM_LATENCY_MS = 20;

  /** Probability that one simulated provider call fails with a transient error. */
  @EnvFloat({ min: 0, max: 1 })
  SIM_ERROR_RATE = 0;

  /** Requests each provider accepts per window, across all worker processes. */
  @EnvInt({ min: 1 })
  PROVIDER_RATE_LIMIT = 100;

  @EnvInt({ min: 1 })
  PROVIDER_RATE_WINDOW_MS = 1000;

  // HTTP vendor adapters (libs/providers). A vendor is registered only when its key (or, for
  // the generic adapter, its URL) is set; naming it in PROVIDERS_* without one stops boot.

  /** Requests per call when a vendor answers 429/5xx or times out, before the job is retried later. */
  @EnvInt({ min: 1, max: 10 })
  PROVIDER_MAX_ATTEMPTS = 3;

  /** First backoff between those attempts; doubles each time, with jitter. */
  @EnvInt({ min: 0 })
  PROVIDER_RETRY_BASE_MS = 500;

  /** The longest wait inside one call (Retry-After included); a longer wait is left to the job's retry. */
  @EnvInt({ min: 0 })
  PROVIDER_RETRY_MAX_MS = 10000;

  /** How long a provider whose credentials were refused (401/403) stays disabled, in every process. */
  @EnvInt({ min: 1000 })
  PROVIDER_DISABLE_MS = 600000;

  /** Circuit breaker, per provider and process: opens above this failure percentage... */
  @EnvInt({ min: 1, max: 100 })
  PROVIDER_CIRCUIT_ERROR_PERCENT = 50;

  /** ...once at least this many calls were made in the rolling window... */
  @EnvInt({ min: 1 })
  PROVIDER_CIRCUIT_MIN_CALLS = 5;

  @EnvInt({ min: 1000 })
  PROVIDER_CIRCUIT_WINDOW_MS = 10000;

  /** ...and lets one probe call through after this cool-down. */
  @EnvInt({ min: 100 })
  PROVIDER_CIRCUIT_RESET_MS = 30000;

  @Secret()
  @IsString()
  HUNTER_API_KEY = '';

  @EnvUrl()
  HUNTER_BASE_URL = 'https://api.hunter.io';

  @EnvInt({ min: 1 })
  HUNTER_RATE_LIMIT = 15;

  @EnvInt({ min: 1 })
  HUNTER_RATE_WINDOW_MS = 1000;

  @EnvInt({ min: 100 })
  HUNTER_TIMEOUT_MS = 10000;

  @Secret()
  @IsString()
  APOLLO_API_KEY = '';

  @EnvUrl()
  APOLLO_BASE_URL = 'https://api.apollo.io';

  @EnvInt({ min: 1 })
  APOLLO_RATE_LIMIT = 50;

  @EnvInt({ min: 1 })
  APOLLO_RATE_WINDOW_MS = 60000;

  @EnvInt({ min: 100 })
  APOLLO_TIMEOUT_MS = 20000;

  /** Apollo's bulk match takes at most 10 people per call. */
  @EnvInt({ min: 1, max: 10 })
  APOLLO_MAX_BATCH = 10;

  @Secret()
  @IsString()
  PDL_API_KEY = '';

  @EnvUrl()
  PDL_BASE_URL = 'https://api.peopledatalabs.com';

  @EnvInt({ min: 1 })
  PDL_RATE_LIMIT = 10;

  @EnvInt({ min: 1 })
  PDL_RATE_WINDOW_MS = 60000;

  @EnvInt({ min: 100 })
  PDL_TIMEOUT_MS = 30000;

  /** People Data Labs' bulk enrichment takes at most 100 people per call. */
  @EnvInt({ min: 1, max: 100 })
  PDL_MAX_BATCH = 100;

  /** Endpoint of the generic JSON adapter (POST {field, leads} → {results}); empty: not registered. */
  @Secret('url-credentials')
  @EnvUrl({ orEmpty: true })
  GENERIC_HTTP_URL = '';

  /** Header that carries GENERIC_HTTP_API_KEY, sent verbatim (e.g. "Bearer abc"). */
  @IsString()
  @Matches(/^[A-Za-z0-9-]+$/, { message: 'GENERIC_HTTP_AUTH_HEADER must be an HTTP header name' })
  GENERIC_HTTP_AUTH_HEADER = 'Authorization';

  @Secret()
  @IsString()
  GENERIC_HTTP_API_KEY = '';

  @EnvInt({ min: 1 })
  GENERIC_HTTP_RATE_LIMIT = 100;

  @EnvInt({ min: 1 })
  GENERIC_HTTP_RATE_WINDOW_MS = 1000;

  @EnvInt({ min: 100 })
  GENERIC_HTTP_TIMEOUT_MS = 10000;

  @EnvInt({ min: 1, max: 1000 })
  GENERIC_HTTP_MAX_BATCH = 100;

  @IsString()
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'MAX_BODY_SIZE must look like 512kb or 1mb' })
  MAX_BODY_SIZE = '1mb';

  /**
   * Whether request bodies may be sent compressed (Content-Encoding gzip, deflate, br). Off by
   * default: a kilobyte of gzip can inflate to a megabyte, so an unauthenticated client could
   * make the API do a thousand times the work it sends (415 UNSUPPORTED_MEDIA_TYPE instead).
   * When on, the inflated size counts against MAX_BODY_SIZE.
   */
  @EnvBool()
  ACCEPT_COMPRESSED_BODIES = false;

  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For to believe for the client address
   * (the per-IP budget keys on it). Empty/false: none (the socket address); true: any; a number:
   * that many hops; otherwise a comma-separated list of addresses/subnets (e.g. `loopback, 10.0.0.0/8`).
   */
  @IsString()
  @Matches(/^[\w\s.:/,-]*$/, { message: 'TRUST_PROXY must be true, false, a hop count or addresses/subnets' })
  TRUST_PROXY = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** API requests each organisation (or, without a token, each IP) may make per window, across all processes. */
  @EnvInt({ min: 1 })
  RATE_LIMIT = 600;

  @EnvInt({ min: 1000 })
  RATE_LIMIT_WINDOW_MS = 60000;

  /**
   * Requests per client IP per window that carry no valid credential (no token, a bad token,
   * the docs, health, metrics, the dashboard login), counted before authentication in Redis.
   * Requests with a valid token never spend it. Probes and scrapers share their IP's budget.
   */
  @EnvInt({ min: 1 })
  RATE_LIMIT_ANON = 300;

  @EnvInt({ min: 1000 })
  RATE_LIMIT_ANON_WINDOW_MS = 60000;

  /**
   * When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. With
   * NODE_ENV=production boot fails without it, unless METRICS_PUBLIC=true says so on purpose.
   */
  @Secret()
  @IsString()
  @Matches(/^(\S{16,})?$/, { message: 'METRICS_TOKEN must be empty or at least 16 non-space characters' })
  METRICS_TOKEN = '';

  /** Production only: serve /metrics without METRICS_TOKEN (e.g. reachable only from a private network). */
  @EnvBool()
  METRICS_PUBLIC = false;

  /** Delivery attempts per webhook event (the first included), with exponential backoff between them. */
  @EnvInt({ min: 1, max: 20 })
  WEBHOOK_MAX_ATTEMPTS = 5;

  @EnvInt({ min: 0 })
  WEBHOOK_BACKOFF_MS = 1000;

  /** How long one delivery attempt may take, connection and response included. */
  @EnvInt({ min: 100, max: 60000 })
  WEBHOOK_TIMEOUT_MS = 5000;

  /** Webhook deliveries per process at once (they mostly wait on the network). */
  @EnvInt({ min: 1, max: 256 })
  WEBHOOK_CONCURRENCY = 10;

  /**
   * Whether webhook URLs may point at loopback, private, link-local and other internal
   * addresses. When unset: true outside production (tests use 127.0.0.1), false in
   * production, so a customer's URL cannot reach the service's own network (SSRF).
   */
  @EnvBool()
  WEBHOOK_ALLOW_PRIVATE_URLS = true;

  /** Webhook endpoints one organisation may register; one more is a 409 CONFLICT. */
  @EnvInt({ min: 1, max: 1000 })
  WEBHOOK_MAX_ENDPOINTS_PER_ORG = 10;

  /**
   * Deliveries to one endpoint in flight at once, across all processes; an event over it
   * waits (backoff, no attempt used) so one slow receiver cannot take every delivery slot.
   */
  @EnvInt({ min: 1, max: 100 })
  WEBHOOK_ENDPOINT_CONCURRENCY = 2;

  /**
   * Tests only: make the process fail at a named point (see FaultPoint), e.g.
   * `idempotency-after-effect`, or `idempotency-after-effect-hang` to stop there so a test
   * can SIGKILL it. Ignored (cleared) when NODE_ENV=production.
   */
  @IsIn(['', ...FAULT_INJECT_VALUES])
  FAULT_INJECT = '';

  /** The HTTP vendors' settings grouped per vendor (see VendorsConfig); derived, never read from the environment. */
  get vendors(): VendorsConfig {
    return vendorsView(this);
  }

  /** What JSON.stringify (and so a logger) shows: the settings with every secret masked. */
  toJSON(): Record<string, unknown> {
    return redactConfig(this);
  }

  /** What console.log and util.inspect show: the same, so a debugging dump cannot print a key. */
  [inspect.custom](): string {
    return `AppConfig ${inspect(redactConfig(this))}`;
  }
}

/** The name of one environment setting (the derived view and the dump helpers are not settings). */
export type AppSetting = Exclude<keyof AppConfig, 'vendors' | 'toJSON' | typeof inspect.custom>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the configuration; throws one error listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty value means "not set", so the default applies (as in most .env tooling).
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(AppConfig, defined, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true });
  const problems = errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((message) => `${e.property}=${JSON.stringify(e.value)}: ${message}`),
  );
  if (config.NODE_ENV === 'production' && defined.HOST === undefined) config.HOST = '0.0.0.0';
  if (config.NODE_ENV === 'production' && defined.WEBHOOK_ALLOW_PRIVATE_URLS === undefined) {
    config.WEBHOOK_ALLOW_PRIVATE_URLS = false;
  }
  if (config.NODE_ENV === 'production') config.FAULT_INJECT = '';
  if (config.NODE_ENV === 'production' && !config.METRICS_TOKEN && !config.METRICS_PUBLIC) {
    problems.push(
      'METRICS_TOKEN must be set when NODE_ENV=production (or METRICS_PUBLIC=true to serve /metrics openly)',
    );
  }
  problems.push(...jwtKeyModeProblems(config, defined), ...corsOriginProblems(config));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

const JWT_KEY_MODES = ['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'] as const;

/** One way to verify tokens, never two: a second key source would widen what is accepted. */
function jwtKeyModeProblems(config: AppConfig, defined: Record<string, string | undefined>): string[] {
  const set = JWT_KEY_MODES.filter((name) => defined[name] !== undefined);
  if (set.length > 1) return [`${set.join(', ')}: set only one of ${JWT_KEY_MODES.join(', ')} (they are exclusive)`];
  if (config.NODE_ENV === 'production' && set.length === 0) {
    return [`${JWT_KEY_MODES.join(' or ')} must be set when NODE_ENV=production`];
  }
  return [];
}

/** Origins are compared exactly with the browser's Origin header, so anything else would never match. */
function corsOriginProblems(config: AppConfig): string[] {
  const problems: string[] = [];
  for (const origin of config.CORS_ORIGINS) {
    if (origin === '*') {
      if (config.NODE_ENV === 'production') problems.push('CORS_ORIGINS="*": any origin is refused in production');
      else if (config.CORS_ORIGINS.length > 1) problems.push('CORS_ORIGINS: "*" cannot be combined with other origins');
      continue;
    }
    let canonical: string | undefined;
    try {
      const url = new URL(origin);
      canonical = ['http:', 'https:'].includes(url.protocol) ? url.origin : undefined;
    } catch {
      canonical = undefined;
    }
    if (canonical !== origin) {
      problems.push(
        `CORS_ORIGINS=${JSON.stringify(origin)}: must be an exact origin such as https://app.example.com ` +
          `(scheme, lower-case host, port if not the default; no path or trailing slash)` +
          (canonical ? `, here ${canonical}` : ''),
      );
    }
  }
  return problems;
}
