export * from './dtos/lead-filters.request.dto';
export { compileLeadFilters, LEAD_ORDER_BY, type CompiledLeadFilter } from './lead-filter.compiler';
export type { LeadProfile } from './lead-profile';
export { LeadsModule } from './leads.module';
export { LeadsService } from './leads.service';
export { generatePeople, mulberry32, type PersonSeedRow } from './seed/person.generator';
export { CONTRACT_EXAMPLE_LEAD_IDS, seedPeople } from './seed/seed-people';
export { DEPARTMENTS, SENIORITIES, type Department, type Seniority } from './seed/seed-vocabulary';
