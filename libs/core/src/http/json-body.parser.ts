import { ValidationException } from '../errors/app.exception';

/** Far deeper than any request of this API; deep enough to be no constraint on honest clients. */
export const MAX_BODY_DEPTH = 32;
/**
 * Keys and array elements in one body, all levels together. The largest honest body (a manual
 * selection of 1,000 leads plus full filters) has a few thousand.
 */
export const MAX_BODY_VALUES = 10_000;

function tooComplex(message: string): ValidationException {
  return new ValidationException('Request validation failed', { fields: [{ field: 'body', messages: [message] }] });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Parses a JSON body after a scan of its bytes that stops at the first bracket deeper than
 * MAX_BODY_DEPTH or the first separator past MAX_BODY_VALUES values (outside strings), so a
 * hostile body (a megabyte of brackets, a million tiny items) costs no more than a read of its
 * bytes up to that point — it is never parsed whole and walked afterwards. Within the limits,
 * JSON.parse builds the value: a streaming parser that checked each token as it came cost the
 * API about 3 % of its CPU in the bench (a callback per token, every body), the scan a small
 * fraction of that. JSON.parse keeps `__proto__` an own key, for inputProblem to refuse.
 */
export function parseJsonBody(raw: Buffer): unknown {
  const problem = limitProblem(raw);
  if (problem) throw tooComplex(problem);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw notJson();
  }
}

/** The first limit the body's brackets and separators break, if any. Malformed JSON is JSON.parse's to refuse. */
function limitProblem(raw: Buffer): string | null {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > MAX_BODY_DEPTH) return `nested deeper than ${MAX_BODY_DEPTH} levels`;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth -= 1;
    } else if (byte === COMMA) {
      values += 1;
      if (values > MAX_BODY_VALUES) return `more than ${MAX_BODY_VALUES} values`;
    }
  }
  return null;
}

function notJson(): ValidationException {
  return new ValidationException('Request body is not valid JSON');
}
