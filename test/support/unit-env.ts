import { Logger, LogLevel } from '@nestjs/common';

/**
 * Loaded before every unit spec. Specs provoke failures on purpose (a provider down, a pass
 * that throws) and assert on them; Nest's console logger would print each one between the
 * PASS lines. Only fatal lines show, unless TEST_LOG_LEVEL (a pino level, as for e2e) asks for more.
 */
const NEST_LEVELS: Record<string, LogLevel[]> = {
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
  fatal: ['fatal'],
  silent: [],
};
Logger.overrideLogger(NEST_LEVELS[process.env.TEST_LOG_LEVEL ?? 'fatal'] ?? NEST_LEVELS.fatal);
