import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinoHttp } from 'pino-http';
import { until } from '../testing/until';
import { httpLoggerOptions, logDestination } from './logging.module';

describe('logDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const line = `${JSON.stringify({ level: 30, time: 0, context: 'Boot', msg: 'hello' })}\n`;

  it('writes readable lines (pino-pretty), at once, in development on a terminal', () => {
    logDestination({ NODE_ENV: 'development' }, { isTTY: true, fd })?.write(line);
    const written = readFileSync(file, 'utf8');
    expect(written).toMatch(/INFO.*\[Boot\] hello/);
    expect(written).not.toContain('{');
  });

  it('writes JSON lines, at once, in development without a terminal (pipes, files)', () => {
    logDestination({ NODE_ENV: 'development' }, { isTTY: false, fd })?.write(line);
    expect(readFileSync(file, 'utf8')).toBe(line);
  });

  it.each(['production', 'test'] as const)("leaves pino's default JSON stdout in %s, terminal or not", (NODE_ENV) => {
    expect(logDestination({ NODE_ENV }, { isTTY: true, fd })).toBeUndefined();
    expect(logDestination({ NODE_ENV }, { isTTY: false, fd })).toBeUndefined();
  });
});

describe('httpLoggerOptions', () => {
  let server: Server;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    lines = [];
    const stream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
    const logger = pinoHttp(httpLoggerOptions({ LOG_LEVEL: 'info', NODE_ENV: 'production' }), stream);
    server = createServer((req, res) => {
      logger(req, res);
      req.log.warn('while handling');
      res.statusCode = 201;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("tags a request's lines with its id, and its access line names it by id, method, path and status only", async () => {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/things?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-token', cookie: 'session=secret-cookie', 'x-request-id': 'req-42' },
    });
    expect(response.headers.get('x-request-id')).toBe('req-42');
    // The access line is written when the response finishes.
    await until(() => lines.length >= 2);
    expect(lines).toHaveLength(2);
    const [during, access] = lines;
    expect(during).toMatchObject({ requestId: 'req-42', msg: 'while handling' });
    expect(during).not.toHaveProperty('req');
    expect(access).toMatchObject({
      requestId: 'req-42',
      req: { id: 'req-42', method: 'POST', url: '/api/v1/things?x=1' },
      res: { statusCode: 201 },
      msg: 'POST /api/v1/things?x=1 201',
    });
    expect(Object.keys(access.req as object).sort()).toEqual(['id', 'method', 'url']);
    // No header is logged: nothing to redact, no client details kept.
    expect(JSON.stringify(lines)).not.toMatch(/secret|authorization|cookie|headers/i);
  });
});
