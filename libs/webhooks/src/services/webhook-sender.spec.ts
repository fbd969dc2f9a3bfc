import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook, WebhookRequest } from './webhook-sender';

describe('sendWebhook', () => {
  let server: Server;
  let port: number;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        handler(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const send = (overrides: Partial<WebhookRequest> = {}) =>
    sendWebhook({
      url: `http://127.0.0.1:${port}/hook`,
      body: '{"a":1}',
      headers: { 'Content-Type': 'application/json', 'Webhook-Id': 'evt_1' },
      timeoutMs: 2000,
      allowPrivate: true,
      ...overrides,
    });

  it('POSTs the body and headers and reports the status', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    await expect(send()).resolves.toEqual({ status: 204 });
    expect(received).toEqual([
      {
        headers: expect.objectContaining({ 'content-type': 'application/json', 'webhook-id': 'evt_1' }),
        body: '{"a":1}',
      },
    ]);
  });

  it('does not follow redirects', async () => {
    handler = (_req, res) => res.writeHead(302, { Location: 'http://169.254.169.254/' }).end();
    await expect(send()).resolves.toEqual({ status: 302 });
    expect(received).toHaveLength(1);
  });

  it('gives up when the receiver does not answer in time', async () => {
    handler = () => undefined;
    await expect(send({ timeoutMs: 200 })).resolves.toEqual({ error: 'timed out after 200 ms' });
  });

  it('reports a refused connection as an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(send({ url: `http://127.0.0.1:${closedPort}/` })).resolves.toEqual({
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('never connects to an internal address when private URLs are not allowed', async () => {
    handler = (_req, res) => res.writeHead(200).end();
    // An IP literal is refused before any connection (host names: webhook-sender-dns.spec.ts).
    await expect(send({ allowPrivate: false })).resolves.toEqual({ error: expect.stringMatching(/internal address/) });
    // Also the IPv6 spellings of an internal IPv4 (an endpoint stored before the policy tightened).
    for (const host of ['[::127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:0:7f00:1]', '[2002:7f00:1::]']) {
      await expect(send({ url: `http://${host}:${port}/hook`, allowPrivate: false })).resolves.toEqual({
        error: expect.stringMatching(/internal address/),
      });
    }
    expect(received).toHaveLength(0);
  });
});
