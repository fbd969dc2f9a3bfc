import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppException, ValidationException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { parseJsonBody } from './json-body.parser';
import { isUnsafeString, UNSAFE_STRING_MESSAGE } from './unsafe-string';

/** Keys that reach object prototypes. class-transformer drops them silently — a filter would vanish. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first problem with a parsed body or query: a prototype key, or a key or string holding
 * NUL or a lone surrogate (see isUnsafeString). Walked without recursion; the parser already
 * bounded the depth and size, so the walk is cheap. `prefix` names the root.
 */
export function inputProblem(input: unknown, prefix = ''): { field: string; message: string } | null {
  const stack: { value: unknown; path: string }[] = [{ value: input, path: prefix }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'string') {
      if (isUnsafeString(value))
        return { field: path || 'body', message: `${path || 'body'} ${UNSAFE_STRING_MESSAGE}` };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const key of Object.keys(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { field: childPath, message: `the key "${key}" is not allowed` };
      if (isUnsafeString(key)) return { field: childPath, message: `the key of ${childPath} ${UNSAFE_STRING_MESSAGE}` };
      stack.push({ value: (value as Record<string, unknown>)[key], path: childPath });
    }
  }
  return null;
}

function refuse(problem: { field: string; message: string }): ValidationException {
  return new ValidationException('Request validation failed', {
    fields: [{ field: problem.field, messages: [problem.message] }],
  });
}

/**
 * The API speaks JSON only: a body in any other type would otherwise be silently ignored and
 * reported as missing fields (415 says what is wrong). The body arrives as raw bytes (read with
 * the size limit, see configureApp) and is parsed here with its depth and size bounded while
 * parsing (parseJsonBody). Then one central check for the whole request input: no prototype
 * keys, no NUL or lone surrogate in any string of the body or the query — refused with a 400
 * naming the field, before validation, class-transformer or PostgreSQL ever see them.
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
    if (Buffer.isBuffer(req.body)) req.body = req.body.length === 0 ? {} : parseJsonBody(req.body);
    const problem = inputProblem(req.body) ?? inputProblem(req.query);
    if (problem) throw refuse(problem);
    next();
  }
}
