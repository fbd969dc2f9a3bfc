import { bodyShapeProblem, MAX_BODY_DEPTH } from './json-body.middleware';

describe('bodyShapeProblem', () => {
  it('accepts ordinary bodies', () => {
    expect(
      bodyShapeProblem({ selection: { mode: 'bulk', filters: { job_title: ['a'] } }, field: 'emails' }),
    ).toBeNull();
    expect(bodyShapeProblem(undefined)).toBeNull();
  });

  it('names a prototype key wherever it hides (JSON.parse makes __proto__ an own key)', () => {
    expect(bodyShapeProblem(JSON.parse('{"selection":{"filters":{"__proto__":{"x":1}}}}'))).toEqual({
      field: 'selection.filters.__proto__',
      message: 'the key "__proto__" is not allowed',
    });
    expect(bodyShapeProblem({ a: [{ constructor: 1 }] })?.field).toBe('a.0.constructor');
  });

  it('refuses absurd nesting without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(bodyShapeProblem(deep)?.message).toBe(`nested deeper than ${MAX_BODY_DEPTH} levels`);
  });
});
