import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * The API speaks JSON only: a body in any other type would otherwise be silently ignored
 * and reported as missing fields. 415 says what is actually wrong.
 */
@Injectable()
export class JsonContentTypeMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      throw new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json', {
        contentType: req.headers['content-type'] ?? null,
      });
    }
    next();
  }
}
