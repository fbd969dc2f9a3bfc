import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppException, ValidationException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/** Far deeper than any request of this API; deep enough to be no constraint on honest clients. */
export const MAX_BODY_DEPTH = 32;
/** Keys that reach object prototypes. class-transformer drops them silently — a filter would vanish. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first problem with a parsed body's shape, found without recursion (a hostile body cannot blow the stack). */
export function bodyShapeProblem(body: unknown): { field: string; message: string } | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: body, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH)
      return { field: path || 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` };
    for (const key of Object.keys(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { field: childPath, message: `the key "${key}" is not allowed` };
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: childPath });
    }
  }
  return null;
}

/**
 * The API speaks JSON only: a body in any other type would otherwise be silently ignored and
 * reported as missing fields (415 says what is wrong). And a JSON body must have a sane
 * shape: no prototype keys, no absurd nesting — both are refused with 400 before anything
 * else (validation, class-transformer) walks the body.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      throw new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json', {
        contentType: req.headers['content-type'] ?? null,
      });
    }
    const problem = bodyShapeProblem(req.body);
    if (problem) {
      throw new ValidationException('Request validation failed', {
        fields: [{ field: problem.field, messages: [problem.message] }],
      });
    }
    next();
  }
}
