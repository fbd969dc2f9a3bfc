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

  /** Ids are returned lower-cased, the form PostgreSQL renders uuids in. */
  async resolve(selection: ResolvableSelection): Promise<string[]> {
    return selection.mode === 'manual' ? this.resolveManual(selection) : this.resolveBulk(selection);
  }

  /** The given ids in first-occurrence order; any unknown id fails the whole request. */
  private async resolveManual(selection: ManualSelectionDto): Promise<string[]> {
    const ids = [...new Set(selection.includedIds.map((id) => id.toLowerCase()))];
    const unknownIds = await this.leads.findMissing(ids);
    if (unknownIds.length) {
      throw new ValidationException('Unknown lead ids', {
        field: 'selection.includedIds',
        unknownIds: unknownIds.slice(0, UNKNOWN_IDS_REPORTED),
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
