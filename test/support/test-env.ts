// Loaded before every test file: tests use their own database and Redis key prefix, never the demo's.
process.env.NODE_ENV = 'test';
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment_test';
process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// TEST_QUEUE_PREFIX is named by global-setup.ts, and its keys deleted by global-teardown.ts.
process.env.QUEUE_PREFIX = process.env.TEST_QUEUE_PREFIX ?? `enrichment-test-${process.pid}`;
// Tests provoke errors on purpose (a provider down, a 500) and assert on them: the app's log
// lines would bury the PASS lines, so only fatal ones show unless TEST_LOG_LEVEL asks for more.
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'fatal';
process.env.SIM_LATENCY_MS = '0';
// Every e2e file of a run shares one Redis prefix and one client address (127.0.0.1), and many
// send requests without a valid token: the per-IP budget is tested on its own (front-door spec).
process.env.RATE_LIMIT_ANON = '1000000';
