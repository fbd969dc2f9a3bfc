import { TypeOverrides, types } from 'pg';
import type { ValueTransformer } from 'typeorm';

/**
 * Balances and ledger amounts are `bigint` (a 32-bit balance overflowed at 2,147,483,647), but
 * node-postgres returns int8 as a string to be safe above 2^53. Credits stay far below that
 * (a grant is at most MAX_GRANT), so they are read as numbers — and a value that could not be
 * represented exactly fails loudly instead of being rounded into a wrong balance.
 */
export function toSafeInteger(value: string | number): number {
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`Integer ${String(value)} is beyond 2^53 and cannot be read`);
  return parsed;
}

/**
 * The type parsers of every connection the service opens (given to the pool, not installed
 * globally, so other pg clients in the same process keep the library's defaults): int8
 * (`bigint` columns, `count(*)`, `sum(...)::bigint`) as a safe number.
 */
export function pgTypeOverrides(): TypeOverrides {
  const overrides = new TypeOverrides();
  overrides.setTypeParser(types.builtins.INT8, 'text', toSafeInteger);
  return overrides;
}

/** For `bigint` entity columns: numbers in, safe numbers out (whichever way the driver hands them over). */
export const bigintColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : toSafeInteger(value)),
};
