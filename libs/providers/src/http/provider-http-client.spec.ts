import { ProviderError } from '../provider.errors';
import { FAST_RETRIES, StubVendor } from '../testing/stub-vendor';
import { ProviderHttpClient } from './provider-http-client';

describe('ProviderHttpClient', () => {
  let stub: StubVendor;
  let client: ProviderHttpClient;
  const get = () => client.request({ method: 'GET', url: new URL(`${stub.url}/v1/people?key=secret-in-query`) });

  beforeAll(async () => {
    stub = await StubVendor.start();
    client = new ProviderHttpClient({ provider: 'vendor', ...FAST_RETRIES });
  });
  afterEach(() => stub.reset());
  afterAll(() => stub.close());

  it('returns the parsed body of a 2xx answer', async () => {
    stub.queue({ status: 200, json: { ok: true } });
    await expect(get()).resolves.toEqual({ ok: true });
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    stub.queue({ status: 503, headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } }, { json: [] });
    await expect(get()).resolves.toEqual([]);
    expect(stub.requests).toHaveLength(2);
  });

  it('treats another 4xx as a rejected request: final, not retried', async () => {
    stub.queue({ status: 422, json: { error: 'missing domain' } });
    const call = get();
    await expect(call).rejects.toMatchObject({ retryable: false });
    await expect(call).rejects.toThrow('vendor: GET /v1/people → 422 (request rejected): {"error":"missing domain"}');
    expect(stub.requests).toHaveLength(1);
  });

  it('never names the query string, which may hold a key', async () => {
    stub.queue({ status: 500 }, { status: 500 }, { status: 500 });
    await expect(get()).rejects.not.toThrow(/secret-in-query/);
  });

  it('maps a status its own way when the vendor does', async () => {
    const custom = new ProviderHttpClient({
      provider: 'vendor',
      ...FAST_RETRIES,
      statuses: { 404: { outcome: 'not_found', meaning: 'no such person' } },
    });
    stub.queue({ status: 404 });
    await expect(custom.request({ method: 'GET', url: new URL(stub.url) })).resolves.toBeNull();
  });

  it('fails retryably when the vendor cannot be reached', async () => {
    const closed = await StubVendor.start();
    const url = new URL(closed.url);
    await closed.close();
    const call = client.request({ method: 'GET', url });
    await expect(call).rejects.toBeInstanceOf(ProviderError);
    await expect(call).rejects.toMatchObject({ retryable: true });
    await expect(call).rejects.toThrow(/fetch failed.*ECONNREFUSED/);
  });
});
