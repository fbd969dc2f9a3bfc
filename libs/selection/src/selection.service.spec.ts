import { AppException, ErrorCode } from '@app/core';
import { LeadFiltersDto, LeadsService } from '@app/leads';
import { plainToInstance } from 'class-transformer';
import { BulkSelectionDto, ManualSelectionDto } from './dtos/selection.request.dto';
import { SelectionService } from './selection.service';

const id = (n: number): string => `550e8400-e29b-41d4-a716-${n.toString(16).padStart(12, '0')}`;

/** A LeadsService whose database holds exactly `known`, in that search order. */
function fakeLeads(known: string[]) {
  const fake = {
    findMissing: jest.fn(async (ids: string[]) => ids.filter((candidate) => !known.includes(candidate.toLowerCase()))),
    findWindow: jest.fn(async (_filters: LeadFiltersDto, offset: number, limit: number) =>
      known.slice(offset, offset + limit),
    ),
  };
  return { fake, service: new SelectionService(fake as unknown as LeadsService) };
}

const manual = (includedIds: string[]): ManualSelectionDto =>
  plainToInstance(ManualSelectionDto, { mode: 'manual', includedIds });
const bulk = (plain: Partial<BulkSelectionDto>): BulkSelectionDto =>
  plainToInstance(BulkSelectionDto, { mode: 'bulk', filters: {}, ...plain });

describe('SelectionService', () => {
  describe('manual', () => {
    it('keeps the first occurrence of each id, comparing case-insensitively, and lower-cases', async () => {
      const { service, fake } = fakeLeads([id(1), id(2), id(3)]);
      const resolved = await service.resolve(manual([id(3), id(1), id(3).toUpperCase(), id(2), id(1)]));
      expect(resolved).toEqual([id(3), id(1), id(2)]);
      expect(fake.findMissing).toHaveBeenCalledTimes(1);
      expect(fake.findMissing).toHaveBeenCalledWith([id(3), id(1), id(2)]);
    });

    it('rejects unknown ids as a validation error listing them', async () => {
      const { service } = fakeLeads([id(1)]);
      const error = await service.resolve(manual([id(1), id(7), id(8)])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppException);
      expect(error).toMatchObject({
        code: ErrorCode.VALIDATION_ERROR,
        message: 'Unknown lead ids',
        details: { field: 'selection.includedIds', unknownIds: [id(7), id(8)], unknownCount: 2 },
      });
      expect((error as AppException).getStatus()).toBe(400);
    });

    it('lists at most 100 unknown ids but counts them all, naming the field the ids came from', async () => {
      const { service } = fakeLeads([]);
      const ids = Array.from({ length: 250 }, (_, n) => id(n));
      const error = (await service.resolve(manual(ids)).catch((e: unknown) => e)) as AppException;
      expect(error.details).toEqual({
        fields: [{ field: 'selection.includedIds', messages: ['250 unknown lead id(s), listed in unknownIds'] }],
        field: 'selection.includedIds',
        unknownIds: ids.slice(0, 100),
        unknownCount: 250,
      });
      const batch = (await service.resolve(manual(ids), 'personIds').catch((e: unknown) => e)) as AppException;
      expect(batch.details).toMatchObject({ field: 'personIds', fields: [{ field: 'personIds' }] });
    });
  });

  describe('bulk', () => {
    const known = Array.from({ length: 20 }, (_, n) => id(n));

    it('takes positions [startIndex, startIndex + targetCount) of the search for the filters', async () => {
      const { service, fake } = fakeLeads(known);
      const selection = bulk({
        startIndex: 5,
        targetCount: 3,
        filters: plainToInstance(LeadFiltersDto, { seniority: 'vp' }),
      });
      expect(await service.resolve(selection)).toEqual([id(5), id(6), id(7)]);
      expect(fake.findWindow).toHaveBeenCalledWith(selection.filters, 5, 3);
      expect(fake.findMissing).not.toHaveBeenCalled();
    });

    it('removes excluded ids, whatever their case, without topping up the range', async () => {
      const { service } = fakeLeads(known);
      const selection = bulk({ startIndex: 0, targetCount: 4, excludedIds: [id(1).toUpperCase(), id(3), id(15)] });
      expect(await service.resolve(selection)).toEqual([id(0), id(2)]);
    });

    it('returns what is left when the range runs past the end of the search', async () => {
      const { service } = fakeLeads(known);
      expect(await service.resolve(bulk({ startIndex: 18, targetCount: 10 }))).toEqual([id(18), id(19)]);
      expect(await service.resolve(bulk({ startIndex: 100, targetCount: 10 }))).toEqual([]);
    });
  });
});
