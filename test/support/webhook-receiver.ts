import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature matched the secret, and the timestamp was within the tolerance. */
  verified: boolean;
  status: number;
}

/**
 * A webhook receiver as a customer would write it (node:http on a random port): it checks
 * the signature with the `standardwebhooks` package (a Standard Webhooks library, which also
 * refuses timestamps more than five minutes away), independently of the service's own code, and
 * answers with the status the test scripts for each call.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server;

  constructor(
    private readonly secret: string,
    private readonly statusFor: (call: number) => number = () => 200,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/enrichment`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const status = this.statusFor(this.received.length + 1);
        this.received.push({ headers: req.headers, body, verified: this.verify(req.headers, body), status });
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private verify(headers: IncomingHttpHeaders, body: string): boolean {
    try {
      new Webhook(this.secret).verify(body, {
        'webhook-id': String(headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(headers['webhook-signature'] ?? ''),
      });
      return true;
    } catch {
      return false;
    }
  }
}
