import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import type { Options as HttpLoggerOptions } from 'pino-http';
import PinoPretty from 'pino-pretty';
import { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** A caller's X-Request-Id is kept when it is sane, so a support ticket can quote it; otherwise we mint one. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Where log lines go: readable, coloured lines for a developer watching a terminal
 * (NODE_ENV=development and stdout a TTY); JSON lines for everything else — files, pipes,
 * log collectors, tests. In development the writes are synchronous, so the lines keep their
 * order with what the process prints itself (the start-up banner must come last); elsewhere
 * pino's default buffered stdout (undefined here) keeps logging off the request path.
 */
export function logDestination(
  config: Pick<AppConfig, 'NODE_ENV'>,
  stdout: { isTTY?: boolean; fd: number } = process.stdout,
): DestinationStream | undefined {
  if (config.NODE_ENV !== 'development') return undefined;
  if (!stdout.isTTY) return pino.destination({ dest: stdout.fd, sync: true });
  return PinoPretty({
    destination: stdout.fd,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,req,res,responseTime,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/**
 * pino-http's options: the request id, what a request's log lines carry, and its access line
 * (one per request, except with NODE_ENV=test).
 */
export function httpLoggerOptions(config: Pick<AppConfig, 'LOG_LEVEL' | 'NODE_ENV'>): HttpLoggerOptions {
  return {
    level: config.LOG_LEVEL,
    genReqId: requestIdOf,
    // Every line logged during a request carries `requestId`, bound once, when it starts.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // The access line names the request by id, method and path, and its answer by status: no
    // headers, so no token or cookie to redact and no client details (address, user agent) kept
    // in the logs. pino-http binds `req` to a child logger on every request, whether or not its
    // line is written; this binding is also the cheap one (not resolvable in CPU per request).
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
    // "GET /api/v1/... 201" rather than pino-http's bare "request completed": readable in a
    // terminal. The original URL: a router the request went through may have cut `req.url`.
    customSuccessMessage: (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) =>
      `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode}`,
    autoLogging: config.NODE_ENV !== 'test',
  };
}

/** Structured logs (pino); every line of a request carries its request id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const options = httpLoggerOptions(config);
        const destination = logDestination(config);
        return { pinoHttp: destination ? [options, destination] : options };
      },
    }),
  ],
})
export class LoggingModule {}
