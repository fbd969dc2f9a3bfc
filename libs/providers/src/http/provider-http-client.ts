import { setTimeout as delay } from 'node:timers/promises';
import { ProviderAuthError, ProviderError } from '../provider.errors';
import { backoffMs, parseRetryAfter } from './retry-after';

/**
 * What a response status means for the call:
 * - `disable`: credentials (or the plan) refused — no retry helps until an operator acts;
 * - `throttled`, `transient`: worth another attempt after a wait (Retry-After when given);
 * - `not_found`: the vendor knows nothing about this lead;
 * - `rejected`: the request itself is wrong — sending it again cannot succeed.
 */
export type StatusOutcome = 'disable' | 'throttled' | 'transient' | 'not_found' | 'rejected';

export interface StatusRule {
  outcome: StatusOutcome;
  /** What the vendor means by it, for the log and /health/ready. */
  meaning: string;
}

export interface ProviderHttpClientOptions {
  provider: string;
  timeoutMs: number;
  /** Requests per call, the first one included. */
  maxAttempts: number;
  retryBaseMs: number;
  /** The longest wait between attempts; a longer Retry-After is left to the job's retry. */
  retryMaxMs: number;
  /** Vendor-specific meanings, over the defaults (401/403 disable, 429 throttled, 5xx transient). */
  statuses?: Readonly<Record<number, StatusRule>>;
  /** Values never to repeat in an error message (API keys a vendor might echo). */
  secrets?: readonly string[];
}

export interface ProviderHttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Awaited before every attempt after the first (a rate-limit token). */
  beforeRetry?: () => Promise<void>;
}

const DEFAULT_STATUSES: Readonly<Record<number, StatusRule>> = {
  401: { outcome: 'disable', meaning: 'credentials refused' },
  403: { outcome: 'disable', meaning: 'access forbidden' },
  408: { outcome: 'transient', meaning: 'request timeout' },
  429: { outcome: 'throttled', meaning: 'rate limited' },
};

type Attempt = { kind: 'done'; body: unknown } | { kind: 'retry'; problem: string; waitMs: number | null };

/**
 * JSON over HTTP on Node's global fetch, turning every way a vendor call can go into one
 * outcome: a parsed body, null (not found), or a ProviderError saying whether a later retry
 * can help. 429, 5xx, timeouts and network errors are retried here a few times with backoff
 * (honouring Retry-After); after that the error is retryable so the queue tries the job again
 * later. Messages name the path, never the query string, which may hold an API key.
 */
export class ProviderHttpClient {
  private readonly statuses: Readonly<Record<number, StatusRule>>;

  constructor(private readonly options: ProviderHttpClientOptions) {
    this.statuses = { ...DEFAULT_STATUSES, ...options.statuses };
  }

  /** The parsed JSON body of a 2xx answer, or null when the status means "not found". */
  async request(request: ProviderHttpRequest): Promise<unknown> {
    const { provider, maxAttempts, retryBaseMs, retryMaxMs } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) await request.beforeRetry?.();
      const result = await this.attempt(request);
      if (result.kind === 'done') return result.body;
      if (attempt >= maxAttempts) {
        throw new ProviderError(provider, `${result.problem}; gave up after ${attempt} attempt(s)`, true);
      }
      const waitMs = result.waitMs ?? backoffMs(attempt, retryBaseMs, retryMaxMs);
      if (waitMs > retryMaxMs) {
        throw new ProviderError(
          provider,
          `${result.problem}; asked to wait ${waitMs} ms, left to the job's retry`,
          true,
        );
      }
      await delay(waitMs);
    }
  }

  private async attempt(request: ProviderHttpRequest): Promise<Attempt> {
    const { provider, timeoutMs } = this.options;
    const what = `${request.method} ${request.url.pathname}`;
    let response: Response;
    let text: string;
    try {
      // One signal for the whole exchange: a body that trickles in counts against the timeout too.
      const signal = AbortSignal.timeout(timeoutMs);
      response = await fetch(request.url, {
        method: request.method,
        headers: {
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      // Duck-typed: fetch's DOMException may come from another realm than this module's Error.
      if (errorName(error) === 'TimeoutError') {
        return { kind: 'retry', problem: `${what} timed out after ${timeoutMs} ms`, waitMs: null };
      }
      return { kind: 'retry', problem: `${what} failed: ${describe(error)}`, waitMs: null };
    }

    const { status } = response;
    if (status >= 200 && status < 300) return { kind: 'done', body: this.parse(text, `${what} → ${status}`) };

    const rule = this.statuses[status] ?? defaultRule(status);
    const problem = `${what} → ${status} (${rule.meaning})${this.excerpt(text)}`;
    switch (rule.outcome) {
      case 'not_found':
        return { kind: 'done', body: null };
      case 'disable':
        throw new ProviderAuthError(provider, problem);
      case 'rejected':
        throw new ProviderError(provider, problem, false);
      case 'throttled':
      case 'transient':
        return { kind: 'retry', problem, waitMs: parseRetryAfter(response.headers.get('retry-after')) };
    }
  }

  private parse(text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new ProviderError(
        this.options.provider,
        `malformed response to ${what}: not JSON${this.excerpt(text)}`,
        true,
      );
    }
  }

  /** A short, single-line piece of the vendor's answer, with any secret blanked out. */
  private excerpt(text: string): string {
    let line = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    for (const secret of this.options.secrets ?? []) if (secret) line = line.split(secret).join('***');
    return line ? `: ${line}` : '';
  }
}

function defaultRule(status: number): StatusRule {
  if (status >= 500) return { outcome: 'transient', meaning: 'server error' };
  return { outcome: 'rejected', meaning: 'request rejected' };
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
}

function describe(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('message' in error)) return String(error);
  // fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ECONNRESET...) in `cause`.
  const cause =
    'cause' in error && typeof error.cause === 'object' && error.cause !== null && 'message' in error.cause
      ? `: ${String(error.cause.message)}`
      : '';
  return `${String(error.message)}${cause}`;
}

/** The error for a 2xx answer whose JSON is not what the vendor documents. */
export function malformed(provider: string, problem: string): ProviderError {
  return new ProviderError(provider, `malformed response: ${problem}`, true);
}
