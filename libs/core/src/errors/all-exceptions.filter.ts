import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppException } from './app.exception';
import { ErrorCode, errorCodeForStatus } from './error-code';

interface BodyParserError {
  type?: string;
  status?: number;
  /** The refused Content-Encoding, on `encoding.unsupported`. */
  encoding?: string;
  /** http-errors: true for client errors (4xx), whose message may be shown. */
  expose?: boolean;
}

/**
 * Renders every error — ours, the framework's (unknown route, body parser) and unexpected
 * ones — as the one envelope. A 500 never shows its cause to the client: only a request id,
 * which is also written to the log next to the stack.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string | number }>();
    const res = ctx.getResponse<Response>();
    const { status, code, message, details } = this.describe(exception, req);
    if (status >= 500) {
      this.logger.error(
        {
          requestId: req.id,
          err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : exception,
        },
        `Unhandled error on ${req.method} ${req.originalUrl}`,
      );
    }
    if (res.headersSent) return;
    // RFC 6750: every 401 names the scheme; the auth guard sets a more precise challenge first.
    if (status === 401 && !res.hasHeader('WWW-Authenticate')) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(status).json({ error: { code, message, details } });
  }

  private describe(exception: unknown, req: Request & { id?: string | number }) {
    if (exception instanceof AppException) {
      return {
        status: exception.getStatus(),
        code: exception.code,
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = errorCodeForStatus(status);
      if (status >= 500) return this.internal(req);
      const message =
        status === 404
          ? `No route for ${req.method} ${req.path}`
          : this.frameworkMessage(exception.getResponse(), exception.message);
      return { status, code, message, details: null };
    }
    const parserError = exception as BodyParserError;
    // body-parser's own errors carry a type; a body that fails to inflate (not gzip after all)
    // is a client error from http-errors (expose: true) without one.
    if (parserError && typeof parserError.status === 'number' && (parserError.type || parserError.expose)) {
      return this.bodyParserError(parserError);
    }
    return this.internal(req);
  }

  private bodyParserError(error: BodyParserError) {
    switch (error.type) {
      case 'entity.too.large':
        return { status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'Request body is too large', details: null };
      case 'entity.parse.failed':
        return {
          status: 400,
          code: ErrorCode.VALIDATION_ERROR,
          message: 'Request body is not valid JSON',
          details: null,
        };
      case 'encoding.unsupported':
        return {
          status: 415,
          code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          message: 'Compressed request bodies are not accepted: send the body without Content-Encoding',
          details: { contentEncoding: error.encoding ?? null },
        };
      case 'charset.unsupported':
        return {
          status: 415,
          code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          message: 'Unsupported body encoding',
          details: null,
        };
      default: {
        const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 400;
        return {
          status,
          code: errorCodeForStatus(status),
          message: 'The request body could not be read',
          details: null,
        };
      }
    }
  }

  private frameworkMessage(response: string | object, fallback: string): string {
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
    return fallback;
  }

  private internal(req: Request & { id?: string | number }) {
    const requestId = req.id === undefined ? null : String(req.id);
    return {
      status: 500,
      code: ErrorCode.INTERNAL_ERROR,
      message: 'Internal server error',
      details: { requestId },
    };
  }
}
