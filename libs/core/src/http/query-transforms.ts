import { Transform } from 'class-transformer';

/**
 * Query strings arrive as text. These turn well-formed values into numbers/booleans and leave
 * anything else untouched, so the validators reject it with a clear message (never NaN).
 */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value,
  );

export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
