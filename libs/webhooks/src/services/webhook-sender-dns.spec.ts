import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook } from './webhook-sender';

// Every name resolves to loopback, as a customer's DNS record pointed at an internal address would.
jest.mock('node:dns', () => ({
  lookup: (
    _hostname: string,
    _options: unknown,
    callback: (e: null, a: { address: string; family: number }[]) => void,
  ) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
}));

describe('sendWebhook with a host name that resolves to an internal address', () => {
  let server: Server;
  let port: number;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('refuses to connect when private URLs are not allowed', async () => {
    const result = await sendWebhook({
      url: `http://hooks.customer.example:${port}/hook`,
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: 2000,
      allowPrivate: false,
    });
    expect(result).toEqual({ error: 'hooks.customer.example resolves to an internal address' });
    expect(requests).toBe(0);
  });
});
