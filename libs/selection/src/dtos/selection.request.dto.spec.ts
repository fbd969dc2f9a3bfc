import { flattenValidationErrors } from '@app/core';
import { LeadFiltersDto } from '@app/leads';
import { plainToInstance, Type } from 'class-transformer';
import { IsObject, validate, ValidateNested } from 'class-validator';
import { BulkSelectionDto, ManualSelectionDto, SELECTION_DISCRIMINATOR, SelectionDto } from './selection.request.dto';

/** Holds a selection the way the enrichment request DTO does. */
class Envelope {
  @IsObject()
  @ValidateNested()
  @Type(() => SelectionDto, { discriminator: SELECTION_DISCRIMINATOR, keepDiscriminatorProperty: true })
  selection: SelectionDto;
}

/** The global ValidationPipe's settings. */
async function check(selection: unknown): Promise<{ dto: Envelope; problems: Record<string, string[]> }> {
  const dto = plainToInstance(Envelope, { selection });
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return {
    dto,
    problems: Object.fromEntries(flattenValidationErrors(errors).map(({ field, messages }) => [field, messages])),
  };
}

const ID_1 = '550e8400-e29b-41d4-a716-446655440001';
const ID_2 = '550e8400-e29b-41d4-a716-446655440002';
const ID_3 = '550e8400-e29b-41d4-a716-446655440003';
const ids = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `550e8400-e29b-41d4-a716-${i.toString(16).padStart(12, '0')}`);

describe('selection DTOs', () => {
  it('turns the manual example of the contract into a ManualSelectionDto', async () => {
    const { dto, problems } = await check({ mode: 'manual', includedIds: [ID_1, ID_2] });
    expect(problems).toEqual({});
    expect(dto.selection).toBeInstanceOf(ManualSelectionDto);
    expect(dto.selection).toEqual({ mode: 'manual', includedIds: [ID_1, ID_2] });
  });

  it('turns the bulk example of the contract into a BulkSelectionDto with real filter classes', async () => {
    const { dto, problems } = await check({
      mode: 'bulk',
      startIndex: 0,
      targetCount: 100,
      excludedIds: [ID_3],
      filters: { job_title: ['Software Engineer', 'Developer'] },
    });
    expect(problems).toEqual({});
    expect(dto.selection).toBeInstanceOf(BulkSelectionDto);
    expect((dto.selection as BulkSelectionDto).filters).toBeInstanceOf(LeadFiltersDto);
  });

  it('defaults excludedIds to an empty list', async () => {
    const { dto, problems } = await check({ mode: 'bulk', startIndex: 5, targetCount: 1, filters: {} });
    expect(problems).toEqual({});
    expect((dto.selection as BulkSelectionDto).excludedIds).toEqual([]);
  });

  it('accepts upper-case and non-v4 uuids', async () => {
    const { problems } = await check({
      mode: 'manual',
      includedIds: [ID_1.toUpperCase(), 'a8098c1a-f86e-11da-bd1a-00112444be1e'],
    });
    expect(problems).toEqual({});
  });

  it.each([
    ['missing', { includedIds: [ID_1] }],
    ['unknown', { mode: 'magic', includedIds: [ID_1] }],
    ['wrong type', { mode: 1, includedIds: [ID_1] }],
    ['null', { mode: null, includedIds: [ID_1] }],
  ])('rejects a %s mode naming selection.mode, never passing', async (_label, selection) => {
    const { problems } = await check(selection);
    expect(problems['selection.mode']).toEqual(['mode must be one of the following values: manual, bulk']);
    expect(problems['selection.includedIds']).toEqual(['property includedIds should not exist']);
  });

  it.each([
    ['a string', 'manual'],
    ['a list', [{ mode: 'manual', includedIds: [ID_1] }]],
    ['null', null],
  ])('rejects a selection that is %s', async (_label, selection) => {
    const { problems } = await check(selection);
    expect(Object.keys(problems)).toContain('selection');
  });

  it('rejects bulk-only keys in a manual selection', async () => {
    const { problems } = await check({ mode: 'manual', includedIds: [ID_1], filters: { job_title: 'Developer' } });
    expect(problems).toEqual({ 'selection.filters': ['property filters should not exist'] });
  });

  it('rejects manual-only keys in a bulk selection', async () => {
    const { problems } = await check({ mode: 'bulk', startIndex: 0, targetCount: 1, filters: {}, includedIds: [ID_1] });
    expect(problems).toEqual({ 'selection.includedIds': ['property includedIds should not exist'] });
  });

  it.each([
    ['filters missing', { mode: 'bulk', startIndex: 0, targetCount: 10 }, 'selection.filters'],
    ['filters null', { mode: 'bulk', startIndex: 0, targetCount: 10, filters: null }, 'selection.filters'],
    ['filters a string', { mode: 'bulk', startIndex: 0, targetCount: 10, filters: 'x' }, 'selection.filters'],
    [
      'an unknown filter',
      { mode: 'bulk', startIndex: 0, targetCount: 10, filters: { title: 'CEO' } },
      'selection.filters.title',
    ],
    [
      'an unknown nested filter',
      { mode: 'bulk', startIndex: 0, targetCount: 10, filters: { company: { size: 10 } } },
      'selection.filters.company.size',
    ],
    ['startIndex negative', { mode: 'bulk', startIndex: -1, targetCount: 10, filters: {} }, 'selection.startIndex'],
    [
      'startIndex too far',
      { mode: 'bulk', startIndex: 1_000_001, targetCount: 10, filters: {} },
      'selection.startIndex',
    ],
    ['startIndex a string', { mode: 'bulk', startIndex: '0', targetCount: 10, filters: {} }, 'selection.startIndex'],
    ['targetCount missing', { mode: 'bulk', startIndex: 0, filters: {} }, 'selection.targetCount'],
    ['targetCount zero', { mode: 'bulk', startIndex: 0, targetCount: 0, filters: {} }, 'selection.targetCount'],
    ['targetCount over 1000', { mode: 'bulk', startIndex: 0, targetCount: 1001, filters: {} }, 'selection.targetCount'],
    ['targetCount fractional', { mode: 'bulk', startIndex: 0, targetCount: 1.5, filters: {} }, 'selection.targetCount'],
    [
      'a bad excluded id',
      { mode: 'bulk', startIndex: 0, targetCount: 1, filters: {}, excludedIds: ['nope'] },
      'selection.excludedIds',
    ],
    [
      'too many excluded ids',
      { mode: 'bulk', startIndex: 0, targetCount: 1, filters: {}, excludedIds: ids(1001) },
      'selection.excludedIds',
    ],
    ['includedIds missing', { mode: 'manual' }, 'selection.includedIds'],
    ['includedIds empty', { mode: 'manual', includedIds: [] }, 'selection.includedIds'],
    ['includedIds over 1000', { mode: 'manual', includedIds: ids(1001) }, 'selection.includedIds'],
    ['a bad included id', { mode: 'manual', includedIds: [ID_1, '42'] }, 'selection.includedIds'],
    ['includedIds a string', { mode: 'manual', includedIds: ID_1 }, 'selection.includedIds'],
  ])('rejects %s', async (_label, selection, field) => {
    const { problems } = await check(selection);
    expect(Object.keys(problems)).toEqual([field]);
  });

  it('accepts exactly 1000 ids', async () => {
    expect((await check({ mode: 'manual', includedIds: ids(1000) })).problems).toEqual({});
  });
});
