import { Transform } from 'class-transformer';

/**
 * Query strings (and environment variables, see env-decorators) arrive as text. These turn
 * well-formed values into numbers/booleans and leave anything else untouched, so the
 * validators reject it with a clear message (never NaN).
 */

/** A well-formed integer string (at most 15 digits: exact as a double) as a number; anything else as it is. */
export const intFromString = (value: unknown): unknown =>
  typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;

export const ToInt = () => Transform(({ value }: { value: unknown }) => intFromString(value));

export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
