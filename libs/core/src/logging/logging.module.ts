import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
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

/** Structured logs (pino); every line of a request carries its request id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const options = {
          level: config.LOG_LEVEL,
          genReqId: requestIdOf,
          customProps: (req: IncomingMessage) => ({ requestId: (req as IncomingMessage & { id?: string }).id }),
          // "GET /api/v1/... 201" rather than pino-http's bare "request completed": readable in a terminal.
          customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
            `${req.method} ${req.url} ${res.statusCode}`,
          redact: ['req.headers.authorization', 'req.headers.cookie'],
          autoLogging: config.NODE_ENV !== 'test',
        };
        const destination = logDestination(config);
        return { pinoHttp: destination ? [options, destination] : options };
      },
    }),
  ],
})
export class LoggingModule {}
