import { Injectable } from '@nestjs/common';
import { ContactField, toPage } from '@app/core';
import { LeadFiltersDto, LeadsService } from '@app/leads';
import type { FoundEmail, FoundPhone } from '@app/providers';
import type { LeadSearchResponseDto } from '../dtos/lead-search.response.dto';
import { EnrichmentQueryService } from './enrichment-query.service';

/**
 * The lead search the frontend shows (and bulk mode reproduces), with the contact data this
 * organisation has paid for — never another org's results.
 */
@Injectable()
export class LeadSearchService {
  constructor(
    private readonly leads: LeadsService,
    private readonly queries: EnrichmentQueryService,
  ) {}

  async search(orgId: string, filters: LeadFiltersDto, page: number, size: number): Promise<LeadSearchResponseDto> {
    const { items, total } = await this.leads.search(filters, page, size);
    const found = await this.queries.foundDataFor(
      orgId,
      items.map((person) => person.id),
    );
    const content = items.map((person) => {
      const data = found.get(person.id) ?? {};
      const emails = data[ContactField.EMAILS];
      const phones = data[ContactField.PHONES];
      return {
        ...person,
        emails: emails && 'emails' in emails ? emails.emails : ([] as FoundEmail[]),
        phones: phones && 'phones' in phones ? phones.phones : ([] as FoundPhone[]),
      };
    });
    return toPage(content, total, page, size);
  }
}
