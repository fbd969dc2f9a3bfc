export * from './dtos/lead-filters.request.dto';
export { LeadsModule } from './leads.module';
export { leadExistsSql, LeadsService } from './leads.service';
export { CONTRACT_EXAMPLE_LEAD_IDS, seedPeople } from './seed/seed-people';
