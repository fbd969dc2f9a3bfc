import type { ExamplesObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The contract's request examples, shown (and runnable) in Swagger UI. */
export const BULK_REQUEST_EXAMPLES: ExamplesObject = {
  manual: {
    summary: 'Manual mode: explicit lead ids',
    value: {
      selection: {
        mode: 'manual',
        includedIds: ['550e8400-e29b-41d4-a716-446655440001', '550e8400-e29b-41d4-a716-446655440002'],
      },
      field: 'emails',
    },
  },
  bulk: {
    summary: 'Bulk mode: a window of a lead search',
    value: {
      selection: {
        mode: 'bulk',
        startIndex: 0,
        targetCount: 100,
        excludedIds: ['550e8400-e29b-41d4-a716-446655440003'],
        filters: { job_title: ['Software Engineer', 'Developer'] },
      },
      field: 'phones',
    },
  },
};
