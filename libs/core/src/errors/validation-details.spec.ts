import { flattenValidationErrors } from './validation-details';

describe('flattenValidationErrors', () => {
  it('names nested fields by their dotted path', () => {
    const problems = flattenValidationErrors([
      {
        property: 'selection',
        children: [
          { property: 'startIndex', constraints: { min: 'startIndex must not be less than 0' }, children: [] },
          {
            property: 'filters',
            children: [{ property: 'colour', constraints: { whitelist: 'property colour should not exist' } }],
          },
        ],
      },
      { property: 'field', constraints: { isIn: 'field must be one of: emails, phones' } },
    ]);
    expect(problems).toEqual([
      { field: 'selection.startIndex', messages: ['startIndex must not be less than 0'] },
      { field: 'selection.filters.colour', messages: ['property colour should not exist'] },
      { field: 'field', messages: ['field must be one of: emails, phones'] },
    ]);
  });
});
