import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sleep } from './processes';

/**
 * A request built once and sent many times: the load clients run in the test process, on the
 * same two cores as the API, so they must not spend CPU re-serialising or re-compressing
 * bodies on every send (that cost would be charged to the API's latency).
 */
export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export function prepareJson(
  method: string,
  path: string,
  json: unknown,
  headers: Record<string, string> = {},
): PreparedRequest {
  const body = Buffer.from(JSON.stringify(json));
  return { method, path, headers: { 'content-type': 'application/json', ...headers }, body };
}

/** One answer: its status (0 when none came: reset, refused, timed out) and its latency. */
export interface Sample {
  status: number;
  /** When it was sent, in performance.now() milliseconds. */
  sentAt: number;
  ms: number;
}

/**
 * A client with a fixed number of kept-alive connections to one server: its attack or load
 * can never use more connections than that, and it pays no TCP handshake per request.
 * Response bodies are drained unread.
 */
export class LoadClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    readonly connections: number,
    private readonly timeoutMs = 10000,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  send(prepared: PreparedRequest): Promise<Sample> {
    const sentAt = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number) => {
        if (settled) return;
        settled = true;
        resolve({ status, sentAt, ms: performance.now() - sentAt });
      };
      const headers: Record<string, string | number> = { ...prepared.headers };
      if (prepared.body) headers['content-length'] = prepared.body.length;
      const req = request(
        { agent: this.agent, host: this.host, port: this.port, method: prepared.method, path: prepared.path, headers },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', () => done(0));
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', () => done(0));
      req.end(prepared.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Sends `next()` at a fixed rate (open loop) until `stopAt` (performance.now() ms), whatever
 * the answers take: a slow server gets the same demand, and its slowness shows as latency
 * (and as answers not back by the end of the phase) instead of as fewer requests sent.
 * Sends are scheduled on an absolute clock, so a late timer is caught up rather than lost.
 */
export async function openLoop(
  client: LoadClient,
  perSecond: number,
  stopAt: number,
  next: (i: number) => PreparedRequest,
): Promise<Sample[]> {
  const interval = 1000 / perSecond;
  const start = performance.now();
  const pending: Promise<Sample>[] = [];
  for (let i = 0; ; i += 1) {
    const due = start + i * interval;
    if (due >= stopAt) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(client.send(next(i)));
  }
  return Promise.all(pending);
}

/**
 * `workers` paced senders on the client's connections: each sends, waits for the answer,
 * then waits out the rest of its interval (a bounded attacker: never more than `workers`
 * requests in flight, never more than `perSecond` each). Stops when `stop()` says so.
 */
export async function pacedWorkers(
  client: LoadClient,
  workers: number,
  perSecond: number,
  stop: () => boolean,
  next: (i: number) => PreparedRequest,
): Promise<Sample[]> {
  const interval = 1000 / perSecond;
  const samples: Sample[] = [];
  let counter = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_unused, worker) => {
      // Staggered, so the workers' requests do not arrive in lockstep.
      await sleep((interval / workers) * worker);
      while (!stop()) {
        const startedAt = performance.now();
        samples.push(await client.send(next(counter++)));
        const rest = interval - (performance.now() - startedAt);
        if (rest > 1) await sleep(rest);
      }
    }),
  );
  return samples;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Status code → count, e.g. { '401': 300, '429': 500 }. */
export function byStatus(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of samples) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
