import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderAuthError, ProviderError } from '../provider.errors';
import type { EnrichmentProvider, LeadContext } from '../provider.interface';

/** One request as the stub vendor saw it. */
export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** When the request reached the stub (Date.now(), as its handler began): what a vendor's rate limit counts. */
  receivedAt: number;
}

/** What the stub answers: JSON, a raw body, or nothing at all (the call must time out). */
export type StubReply = { status?: number; headers?: Record<string, string>; json?: unknown; raw?: string } | 'hang';

/**
 * A vendor on 127.0.0.1, port 0, answering from a queue of replies (then the default one),
 * and recording what it was sent. For adapter specs only.
 */
export class StubVendor {
  readonly requests: StubRequest[] = [];
  private readonly queued: StubReply[] = [];

  private constructor(
    private readonly server: Server,
    private fallback: (request: StubRequest) => StubReply,
  ) {}

  static async start(fallback: (request: StubRequest) => StubReply = () => ({ status: 404 })): Promise<StubVendor> {
    // The handler runs only once the server listens, by when `stub` is set.
    const server = createServer((req, res) => {
      const receivedAt = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub');
        const text = Buffer.concat(chunks).toString('utf8');
        const request: StubRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: text ? (JSON.parse(text) as unknown) : undefined,
          receivedAt,
        };
        stub.requests.push(request);
        const reply = stub.queued.shift() ?? stub.fallback(request);
        if (reply === 'hang') return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.raw ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
      });
    });
    const stub = new StubVendor(server, fallback);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests get these replies, in order. */
  queue(...replies: StubReply[]): this {
    this.queued.push(...replies);
    return this;
  }

  answer(fallback: (request: StubRequest) => StubReply): this {
    this.fallback = fallback;
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.queued.length = 0;
  }

  async close(): Promise<void> {
    // Hanging requests would otherwise keep the server open.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function testLead(id: string, overrides: Partial<LeadContext> = {}): LeadContext {
  return {
    id,
    firstName: 'Jane',
    lastName: 'Doe',
    jobTitle: 'CTO',
    companyName: 'Acme',
    companyDomain: 'acme.com',
    country: 'United States',
    linkedinUrl: null,
    ...overrides,
  };
}

/**
 * Short waits so the specs stay quick; what they test is the outcome, never the time taken. The
 * call timeout still leaves a loaded CI machine time to answer: at 300 ms a starved stub's late
 * replies made the client retry past the replies a spec had queued.
 */
export const FAST_RETRIES = { timeoutMs: 1500, maxAttempts: 3, retryBaseMs: 1, retryMaxMs: 2000 };

/**
 * The failure taxonomy every HTTP adapter shares, against its stub: 429 with Retry-After and
 * 5xx are retried in the call (each retry taking a token) and then fail retryably; a call that
 * does not answer times out retryably; 401 refuses the credentials; a body that is not JSON,
 * or not the vendor's shape, fails retryably with a clear message.
 */
export function describeVendorFailures(
  vendor: string,
  context: () => {
    stub: StubVendor;
    provider: EnrichmentProvider;
    lead: LeadContext;
    found: StubReply;
    /** The status the vendor throttles with (Hunter uses 403). */
    throttleStatus?: number;
  },
): void {
  describe(`${vendor}: failures`, () => {
    it('retries when throttled, after its Retry-After (one token per retry), then answers', async () => {
      const { stub, provider, lead, found, throttleStatus = 429 } = context();
      stub.queue({ status: throttleStatus, headers: { 'retry-after': '0' }, json: { error: 'slow down' } }, found);
      const tokens: string[] = [];
      const answer = await provider.lookup([lead], { beforeNextRequest: () => Promise.resolve(void tokens.push('t')) });
      expect(answer.has(lead.id)).toBe(true);
      expect(stub.requests).toHaveLength(2);
      expect(tokens).toEqual(['t']);
    });

    it('gives up on a Retry-After longer than it may wait, retryably, without waiting', async () => {
      const { stub, provider, lead, throttleStatus = 429 } = context();
      stub.queue({ status: throttleStatus, headers: { 'retry-after': '3600' } });
      await expect(provider.lookup([lead])).rejects.toMatchObject({ name: 'ProviderError', retryable: true });
      expect(stub.requests).toHaveLength(1);
    });

    it('retries 5xx a bounded number of times, then fails retryably', async () => {
      const { stub, provider, lead } = context();
      stub.queue(...Array.from({ length: FAST_RETRIES.maxAttempts }, () => ({ status: 503, json: { error: 'down' } })));
      const call = provider.lookup([lead]);
      await expect(call).rejects.toBeInstanceOf(ProviderError);
      await expect(call).rejects.toMatchObject({ retryable: true });
      await expect(call).rejects.toThrow(/503.*gave up after 3 attempt/);
      expect(stub.requests).toHaveLength(FAST_RETRIES.maxAttempts);
    });

    it('times out a call that does not answer, retryably', async () => {
      const { stub, provider, lead } = context();
      stub.queue('hang', 'hang', 'hang');
      const call = provider.lookup([lead]);
      await expect(call).rejects.toMatchObject({ retryable: true });
      await expect(call).rejects.toThrow(new RegExp(`timed out after ${FAST_RETRIES.timeoutMs} ms`));
    });

    it('reports refused credentials (401) as an auth error, without retrying', async () => {
      const { stub, provider, lead } = context();
      stub.queue({ status: 401, json: { error: 'invalid api key' } });
      const call = provider.lookup([lead]);
      await expect(call).rejects.toBeInstanceOf(ProviderAuthError);
      await expect(call).rejects.toThrow(/401/);
      expect(stub.requests).toHaveLength(1);
    });

    it('fails retryably, with a clear message, on a body that is not JSON', async () => {
      const { stub, provider, lead } = context();
      stub.queue({ status: 200, raw: '<html>Bad gateway</html>' });
      const call = provider.lookup([lead]);
      await expect(call).rejects.toMatchObject({ retryable: true });
      await expect(call).rejects.toThrow(/malformed response.*not JSON/);
    });

    it('fails retryably, with a clear message, on JSON of the wrong shape', async () => {
      const { stub, provider, lead } = context();
      stub.queue({ status: 200, json: { unexpected: true } });
      const call = provider.lookup([lead]);
      await expect(call).rejects.toMatchObject({ retryable: true });
      await expect(call).rejects.toThrow(/malformed response/);
    });
  });
}
