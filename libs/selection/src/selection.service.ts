import { Injectable } from '@nestjs/common';
import { ValidationException } from '@app/core';
import { LeadsService } from '@app/leads';
import type { BulkSelectionDto, ManualSelectionDto, ResolvableSelection } from './dtos/selection.request.dto';

/** How many unknown ids an error lists; the count says how many there were in all. */
export const UNKNOWN_IDS_REPORTED = 100;

export interface ResolvedSelection {
  /** Lead ids in selection order, duplicate-free, lower-cased (the form PostgreSQL renders uuids in). */
  leadIds: string[];
  /**
   * Manual ids are the caller's and may name no lead: the caller checks them (leadExistsSql) in
   * the first statement it sends anyway and answers `unknownLeadIds` when any is unknown. A bulk
   * window is read from the leads themselves.
   */
  mustCheckExistence: boolean;
}

/** Turns a selection payload into the ordered, duplicate-free list of lead ids it designates. */
@Injectable()
export class SelectionService {
  constructor(private readonly leads: LeadsService) {}

  async resolve(selection: ResolvableSelection): Promise<ResolvedSelection> {
    return selection.mode === 'manual'
      ? { leadIds: this.resolveManual(selection), mustCheckExistence: true }
      : { leadIds: await this.resolveBulk(selection), mustCheckExistence: false };
  }

  /**
   * The 400 for manual ids that name no lead (any fails the whole request). `idsField` is the
   * request field they came from, for the error to name what the caller sent (the batch
   * endpoint's `personIds` is a manual selection too).
   */
  unknownLeadIds(unknownIds: readonly string[], idsField = 'selection.includedIds'): ValidationException {
    return new ValidationException('Unknown lead ids', {
      // `fields` as in every other 400, so a client reads one shape; the rest says which ids.
      fields: [{ field: idsField, messages: [`${unknownIds.length} unknown lead id(s), listed in unknownIds`] }],
      field: idsField,
      unknownIds: unknownIds.slice(0, UNKNOWN_IDS_REPORTED),
      unknownCount: unknownIds.length,
    });
  }

  /** The given ids in first-occurrence order. */
  private resolveManual(selection: ManualSelectionDto): string[] {
    return [...new Set(selection.includedIds.map((id) => id.toLowerCase()))];
  }

  /** Positions [startIndex, startIndex + targetCount) of the search, minus the excluded ids. */
  private async resolveBulk(selection: BulkSelectionDto): Promise<string[]> {
    const excluded = new Set((selection.excludedIds ?? []).map((id) => id.toLowerCase()));
    const window = await this.leads.findWindow(selection.filters, selection.startIndex, selection.targetCount);
    return window.map((id) => id.toLowerCase()).filter((id) => !excluded.has(id));
  }
}
