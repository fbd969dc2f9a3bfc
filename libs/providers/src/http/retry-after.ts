/**
 * How long a `Retry-After` header asks to wait, in milliseconds: either delay-seconds or an
 * HTTP date (RFC 9110 §10.2.3). Null when absent or unreadable, so the caller falls back to
 * its own backoff; a date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date always names its day and month; this keeps "-1" and the like from parsing as years.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries
 * from many workers spread out without ever retrying immediately. `attempt` counts from 1.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}
