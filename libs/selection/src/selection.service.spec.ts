import { AppException, ErrorCode } from '@app/core';
import { LeadFiltersDto, LeadsService } from '@app/leads';
import { plainToInstance } from 'class-transformer';
import { BulkSelectionDto, ManualSelectionDto } from './dtos/selection.request.dto';
import { SelectionService } from './selection.service';

const id = (n: number): string => `550e8400-e29b-41d4-a716-${n.toString(16).padStart(12, '0')}`;

/** A LeadsService whose database holds exactly `known`, in that search order. */
function fakeLeads(known: string[]) {
  const fake = {
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
    it('keeps the first occurrence of each id, comparing case-insensitively, lower-cases, and leaves the check to the caller', async () => {
      const { service, fake } = fakeLeads([]);
      const resolved = await service.resolve(manual([id(3), id(1), id(3).toUpperCase(), id(2), id(1)]));
      expect(resolved).toEqual({ leadIds: [id(3), id(1), id(2)], mustCheckExistence: true });
      expect(fake.findWindow).not.toHaveBeenCalled();
    });

    it('words the 400 for unknown ids: listed, at most 100, all counted, naming the field they came from', () => {
      const { service } = fakeLeads([]);
      const ids = Array.from({ length: 250 }, (_, n) => id(n));
      const error = service.unknownLeadIds(ids);
      expect(error).toBeInstanceOf(AppException);
      expect(error).toMatchObject({ code: ErrorCode.VALIDATION_ERROR, message: 'Unknown lead ids' });
      expect(error.getStatus()).toBe(400);
      expect(error.details).toEqual({
        fields: [{ field: 'selection.includedIds', messages: ['250 unknown lead id(s), listed in unknownIds'] }],
        field: 'selection.includedIds',
        unknownIds: ids.slice(0, 100),
        unknownCount: 250,
      });
      expect(service.unknownLeadIds([id(7)], 'personIds').details).toMatchObject({
        field: 'personIds',
        fields: [{ field: 'personIds' }],
        unknownIds: [id(7)],
        unknownCount: 1,
      });
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
      expect(await service.resolve(selection)).toEqual({ leadIds: [id(5), id(6), id(7)], mustCheckExistence: false });
      expect(fake.findWindow).toHaveBeenCalledWith(selection.filters, 5, 3);
    });

    it('removes excluded ids, whatever their case, without topping up the range', async () => {
      const { service } = fakeLeads(known);
      const selection = bulk({ startIndex: 0, targetCount: 4, excludedIds: [id(1).toUpperCase(), id(3), id(15)] });
      expect((await service.resolve(selection)).leadIds).toEqual([id(0), id(2)]);
    });

    it('returns what is left when the range runs past the end of the search', async () => {
      const { service } = fakeLeads(known);
      expect((await service.resolve(bulk({ startIndex: 18, targetCount: 10 }))).leadIds).toEqual([id(18), id(19)]);
      expect((await service.resolve(bulk({ startIndex: 100, targetCount: 10 }))).leadIds).toEqual([]);
    });
  });
});
