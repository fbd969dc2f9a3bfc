import { Tokenizer, TokenParser, TokenType } from '@streamparser/json';
import type { ParsedTokenInfo } from '@streamparser/json';
import { ValidationException } from '../errors/app.exception';

/** Far deeper than any request of this API; deep enough to be no constraint on honest clients. */
export const MAX_BODY_DEPTH = 32;
/**
 * Keys and array elements in one body, all levels together. The largest honest body (a manual
 * selection of 1,000 leads plus full filters) has a few thousand.
 */
export const MAX_BODY_VALUES = 10_000;

/** Thrown from the tokenizer's callback to stop it at the first token past a limit. */
class BodyLimitExceeded extends Error {}

function tooComplex(message: string): ValidationException {
  return new ValidationException('Request validation failed', { fields: [{ field: 'body', messages: [message] }] });
}

/**
 * Parses a JSON body with a streaming parser (@streamparser/json) that checks every token as it
 * comes: parsing stops at the first token deeper than MAX_BODY_DEPTH or past MAX_BODY_VALUES
 * values, so a hostile body (a megabyte of brackets, a million tiny items) costs no more than
 * the first few thousand tokens of it — it is never parsed whole and walked afterwards.
 */
export function parseJsonBody(raw: Buffer): unknown {
  const tokenizer = new Tokenizer();
  const parser = new TokenParser();
  let depth = 0;
  let values = 0;
  let result: unknown;
  let done = false;
  tokenizer.onToken = (info: ParsedTokenInfo) => {
    switch (info.token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        depth += 1;
        if (depth > MAX_BODY_DEPTH) throw new BodyLimitExceeded(`nested deeper than ${MAX_BODY_DEPTH} levels`);
        break;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        depth -= 1;
        break;
      case TokenType.COMMA:
        values += 1;
        if (values > MAX_BODY_VALUES) throw new BodyLimitExceeded(`more than ${MAX_BODY_VALUES} values`);
        break;
      default:
        break;
    }
    parser.write(info);
  };
  parser.onValue = ({ value, stack }) => {
    if (stack.length === 0) {
      result = value;
      done = true;
    }
  };
  // Without these, the library's default handlers rethrow asynchronously; we want the error here.
  tokenizer.onError = (error: Error) => {
    throw error;
  };
  parser.onError = (error: Error) => {
    throw error;
  };
  try {
    tokenizer.write(raw);
    tokenizer.end();
  } catch (error) {
    if (error instanceof BodyLimitExceeded) throw tooComplex(error.message);
    throw notJson();
  }
  if (!done) throw notJson();
  return result;
}

function notJson(): ValidationException {
  return new ValidationException('Request body is not valid JSON');
}
