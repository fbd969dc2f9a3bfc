import { ValidationException } from '../errors/app.exception';
import { inputProblem } from './json-body.middleware';
import { MAX_BODY_DEPTH, MAX_BODY_VALUES, parseJsonBody } from './json-body.parser';

function failure(run: () => unknown): ValidationException {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationException) return error;
    throw error;
  }
  throw new Error('expected a ValidationException');
}

describe('parseJsonBody', () => {
  it('parses ordinary bodies as JSON.parse does', () => {
    const body = { selection: { mode: 'bulk', filters: { job_title: ['a', 'é😀'] } }, field: 'emails', n: -1.5e3 };
    expect(parseJsonBody(Buffer.from(JSON.stringify(body)))).toEqual(body);
    expect(parseJsonBody(Buffer.from('"x"'))).toBe('x');
  });

  it('refuses malformed JSON', () => {
    expect(failure(() => parseJsonBody(Buffer.from('{"a":'))).message).toBe('Request body is not valid JSON');
    expect(failure(() => parseJsonBody(Buffer.from('{"a":1} x'))).message).toBe('Request body is not valid JSON');
  });

  it('stops at the first token past the depth limit, without parsing the rest', () => {
    const deep = Buffer.from('['.repeat(1_000_000));
    const started = process.hrtime.bigint();
    const error = failure(() => parseJsonBody(deep));
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
    expect(error.details).toEqual({
      fields: [{ field: 'body', messages: [`nested deeper than ${MAX_BODY_DEPTH} levels`] }],
    });
    expect(parseJsonBody(Buffer.from('['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH)))).toBeDefined();
  });

  it('stops past MAX_BODY_VALUES keys and elements', () => {
    const many = Buffer.from(JSON.stringify({ items: Array.from({ length: 200_000 }, () => ({ a: 1 })) }));
    expect(failure(() => parseJsonBody(many)).details).toEqual({
      fields: [{ field: 'body', messages: [`more than ${MAX_BODY_VALUES} values`] }],
    });
  });

  it('counts brackets and separators only outside strings, escaped quotes included', () => {
    const text = `a\\"${'[{'.repeat(MAX_BODY_DEPTH)}${','.repeat(MAX_BODY_VALUES + 1)}\\\\`;
    const body = Buffer.from(`{"note":"${text}","ids":["x","y"]}`);
    expect(parseJsonBody(body)).toEqual({ note: JSON.parse(`"${text}"`), ids: ['x', 'y'] });
  });

  it('keeps __proto__ an own key (no prototype change), for inputProblem to name', () => {
    const parsed = parseJsonBody(Buffer.from('{"selection":{"filters":{"__proto__":{"x":1}}}}'));
    expect(inputProblem(parsed)).toEqual({
      field: 'selection.filters.__proto__',
      message: 'the key "__proto__" is not allowed',
    });
  });
});

describe('inputProblem', () => {
  it('accepts ordinary input and surrogate pairs', () => {
    expect(inputProblem({ a: ['x', '😀'], b: { c: 1 } })).toBeNull();
    expect(inputProblem(undefined)).toBeNull();
  });

  it('names NUL and lone surrogates in values and keys, at any depth', () => {
    const nul = parseJsonBody(Buffer.from('{"selection":{"filters":{"city":["ok","a\\u0000b"]}}}'));
    expect(inputProblem(nul)?.field).toBe('selection.filters.city.1');
    expect(inputProblem(parseJsonBody(Buffer.from('{"url":"https://x/\\ud800"}')))?.field).toBe('url');
    expect(inputProblem(parseJsonBody(Buffer.from('{"d":"\\udc00x"}')))?.message).toMatch(/NUL characters/);
    expect(inputProblem({ ['k\u0000']: 1 })?.field).toBe('k\u0000');
    expect(inputProblem({ q: 'x\u0000' }, 'query')?.field).toBe('query.q');
  });

  it('names a prototype key wherever it hides', () => {
    expect(inputProblem({ a: [{ constructor: 1 }] })?.field).toBe('a.0.constructor');
  });
});
