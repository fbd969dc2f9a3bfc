import autocannon from 'autocannon';

export interface PlannedRequest {
  token: string;
  body: string;
  /** How many enrichment objects the 201 must carry; checked when set. */
  expectItems?: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds; or `amount` requests. */
  duration?: number;
  amount?: number;
  /** Requests/s across all connections (autocannon's overallRate); as fast as answered when unset. */
  rate?: number;
  next: () => PlannedRequest;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Every response time in ms, for the chart. */
  latencies: number[];
}

const PATH = '/api/v1/operations/enrichment/bulk';

/**
 * One load run with autocannon (the one load client of the bench, for service and floor
 * alike). Each request gets its own token and body from `next()`. A non-2xx answer, a socket
 * error or a 201 with the wrong number of objects fails the run: a benchmark of a broken
 * endpoint measures nothing.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const expected: (number | undefined)[] = [];
  const mismatches: string[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
        ...(options.rate ? { overallRate: options.rate } : {}),
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: PATH,
            setupRequest: (request) => {
              const planned = options.next();
              expected.push(planned.expectItems);
              return {
                ...request,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${planned.token}` },
                body: planned.body,
              };
            },
            onResponse: (status, body) => {
              // Responses on one connection come back in the order they were set up; with
              // several connections the check is on the count only, which all requests of a
              // run share.
              const want = expected.shift();
              if (status !== 201) {
                mismatches.push(`HTTP ${status}: ${body.slice(0, 300)}`);
              } else if (want !== undefined) {
                const items = (JSON.parse(body) as unknown[]).length;
                if (items !== want) mismatches.push(`expected ${want} enrichments, got ${items}`);
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const failures = result.non2xx + result.errors + result.timeouts + mismatches.length;
        if (failures > 0) {
          return reject(
            new Error(
              `load run against ${options.url} failed: ${result.non2xx} non-2xx, ${result.errors} errors, ` +
                `${result.timeouts} timeouts; ${mismatches.slice(0, 3).join(' | ')}`,
            ),
          );
        }
        const sorted = [...latencies].sort((a, b) => a - b);
        resolve({
          requests: result.requests.total,
          durationS: result.duration,
          rps: result.requests.total / result.duration,
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
          latencies: sorted,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
      latencies.push(responseTime),
    );
  });
}
