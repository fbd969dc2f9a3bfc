import { Injectable } from '@nestjs/common';
import { ValidationException } from '@app/core';
import { LeadsService } from '@app/leads';
import type { BulkSelectionDto, ManualSelectionDto, ResolvableSelection } from './dtos/selection.request.dto';

/** How many unknown ids an error lists; the count says how many there were in all. */
export const UNKNOWN_IDS_REPORTED = 100;

/** Turns a selection payload into the ordered, duplicate-free list of lead ids it designates. */
@Injectable()
export class SelectionService {
  constructor(private readonly leads: LeadsService) {}

  /**
   * Ids are returned lower-cased, the form PostgreSQL renders uuids in. `idsField` is the
   * request field the manual ids came from, for the error to name what the caller sent
   * (the batch endpoint's `personIds` is a manual selection too).
   */
  async resolve(selection: ResolvableSelection, idsField = 'selection.includedIds'): Promise<string[]> {
    return selection.mode === 'manual' ? this.resolveManual(selection, idsField) : this.resolveBulk(selection);
  }

  /** The given ids in first-occurrence order; any unknown id fails the whole request. */
  private async resolveManual(selection: ManualSelectionDto, idsField: string): Promise<string[]> {
    const ids = [...new Set(selection.includedIds.map((id) => id.toLowerCase()))];
    const unknownIds = await this.leads.findMissing(ids);
    if (unknownIds.length) {
      const reported = unknownIds.slice(0, UNKNOWN_IDS_REPORTED);
      throw new ValidationException('Unknown lead ids', {
        // `fields` as in every other 400, so a client reads one shape; the rest says which ids.
        fields: [{ field: idsField, messages: [`${unknownIds.length} unknown lead id(s), listed in unknownIds`] }],
        field: idsField,
        unknownIds: reported,
        unknownCount: unknownIds.length,
      });
    }
    return ids;
  }

  /** Positions [startIndex, startIndex + targetCount) of the search, minus the excluded ids. */
  private async resolveBulk(selection: BulkSelectionDto): Promise<string[]> {
    const excluded = new Set((selection.excludedIds ?? []).map((id) => id.toLowerCase()));
    const window = await this.leads.findWindow(selection.filters, selection.startIndex, selection.targetCount);
    return window.map((id) => id.toLowerCase()).filter((id) => !excluded.has(id));
  }
}
