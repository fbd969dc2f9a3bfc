/**
 * The reliability suite's own database (never the e2e one: its global setup drops it) and the
 * HS256 secret its API children verify tokens with.
 */
export const RELIABILITY_DATABASE_URL =
  process.env.RELIABILITY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment_reliability';

export const RELIABILITY_JWT_SECRET = 'reliability-suite-secret-0123456789';

/** Property-based cases per run; CI runs the default, `RELIABILITY_FUZZ_RUNS=20000` digs deeper. */
export const FUZZ_RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 2000);
