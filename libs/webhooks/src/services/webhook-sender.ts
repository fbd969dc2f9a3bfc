import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, urlProblem } from './webhook-url-policy';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** The receiver answered (any status), or the attempt failed before it could. */
export type WebhookResponse = { status: number } | { error: string };

/** Most receivers answer with a short acknowledgement; more is read and thrown away up to here. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One POST with a hard deadline covering connect, request and response. Redirects are not
 * followed (a 3xx is a failure): following them would let a public URL bounce the request
 * to an internal one. Never rejects.
 */
export function sendWebhook(req: WebhookRequest): Promise<WebhookResponse> {
  // The URL was checked at registration; checked again because the policy may have tightened since.
  const problem = urlProblem(req.url, req.allowPrivate);
  if (problem) return Promise.resolve({ error: problem });
  const url = new URL(req.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const outgoing = send(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'Content-Length': Buffer.byteLength(req.body).toString() },
        ...(req.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        const status = response.statusCode ?? 0;
        response.on('end', () => finish({ status }));
        response.on('close', () => finish({ status }));
        response.on('error', () => finish({ status }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `timed out after ${req.timeoutMs} ms` });
      outgoing.destroy();
    }, req.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.message || String(error.code) }));
    outgoing.end(req.body);
  });
}
