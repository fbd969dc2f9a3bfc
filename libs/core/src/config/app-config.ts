import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toFloat = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * Every knob of the service, read once from the environment and validated at boot.
 * Defaults make a fresh clone run against the local PostgreSQL and Redis; production
 * must set JWT_SECRET (or JWT_PUBLIC_KEY) itself — see `assertProductionSafe`.
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/enrichment';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix for every Redis key of this deployment, so tests and instances can share a server. */
  @IsString()
  @Matches(/^[a-z0-9_-]+$/i, { message: 'QUEUE_PREFIX may hold letters, digits, _ and - only' })
  QUEUE_PREFIX = 'enrichment';

  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET = 'dev-only-secret-change-me-0123456789';

  /** PEM public key; when set, tokens are verified with RS256 instead of HS256. */
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'JWT_PUBLIC_KEY must be a PEM public key' })
  JWT_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PRICE_EMAILS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PRICE_PHONES = 20;

  /** Enrichments per queue job. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  ENRICHMENT_BATCH_SIZE = 50;

  /** Whether the API process also runs the queue processors. */
  @Transform(toBool)
  @IsBoolean()
  RUN_WORKERS = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY = 2;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  JOB_ATTEMPTS = 3;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  JOB_BACKOFF_MS = 1000;

  /** How often the recovery sweep looks for pending enrichments without a live job. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  RECOVERY_SWEEP_INTERVAL_MS = 15000;

  /** A pending enrichment is re-queued once it has waited this long without a live job. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RECOVERY_STALE_AFTER_MS = 10000;

  /** A `processing` claim older than this is treated as abandoned by a dead worker. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  PROCESSING_LEASE_MS = 120000;

  /** A result found for any org within this many days is reused without a provider call. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  GLOBAL_CACHE_FRESHNESS_DAYS = 90;

  @Transform(toList)
  @IsString({ each: true })
  PROVIDERS_EMAILS: string[] = ['sim-email-alpha', 'sim-email-beta'];

  @Transform(toList)
  @IsString({ each: true })
  PROVIDERS_PHONES: string[] = ['sim-phone-alpha', 'sim-phone-beta'];

  /** Probability that one simulated provider knows a given lead. */
  @Transform(toFloat)
  @IsNumber()
  @Min(0)
  @Max(1)
  SIM_HIT_RATE = 0.45;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  SIM_LATENCY_MS = 20;

  /** Probability that one simulated provider call fails with a transient error. */
  @Transform(toFloat)
  @IsNumber()
  @Min(0)
  @Max(1)
  SIM_ERROR_RATE = 0;

  /** Requests each provider accepts per window, across all worker processes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PROVIDER_RATE_LIMIT = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PROVIDER_RATE_WINDOW_MS = 1000;

  @IsString()
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'MAX_BODY_SIZE must look like 512kb or 1mb' })
  MAX_BODY_SIZE = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

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
  if (config.NODE_ENV === 'production' && !env.JWT_SECRET && !env.JWT_PUBLIC_KEY) {
    problems.push('JWT_SECRET or JWT_PUBLIC_KEY must be set when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
