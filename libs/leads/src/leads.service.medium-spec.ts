import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import type { LeadContext } from '@app/providers';
import { plainToInstance } from 'class-transformer';
import { DataSource } from 'typeorm';
import { LeadFiltersDto } from './dtos/lead-filters.request.dto';
import { compileLeadFilters } from './lead-filter.compiler';
import type { LeadProfile } from './lead-profile';
import { leadExistsSql, LeadsService, PROFILES_BY_ID } from './leads.service';
import { demoPeople, seedPeople } from './seed/seed-people';

const filters = (plain: object): LeadFiltersDto => plainToInstance(LeadFiltersDto, plain);

describe('LeadsService (PostgreSQL)', () => {
  const people = demoPeople(20000);
  let dataSource: DataSource;
  let leads: LeadsService;

  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('leads_spec'));
    leads = new LeadsService(dataSource);
  });

  afterAll(() => drop?.());

  it('seeds 20,000 people, and a second run inserts nothing', async () => {
    expect(await seedPeople(dataSource)).toEqual({ inserted: 20000, total: 20000 });
    expect(await seedPeople(dataSource)).toEqual({ inserted: 0, total: 20000 });
  });

  it('stores the generated rows faithfully', async () => {
    const [first] = people;
    const [profile] = await leads.findProfiles([first.id]);
    expect(profile).toEqual({ ...first, fullName: `${first.firstName} ${first.lastName}` });
  });

  it('counts matches like the generated data says, case-insensitively', async () => {
    const cases: [object, (p: (typeof people)[number]) => boolean][] = [
      [
        { job_title: ['software engineer', 'DEVELOPER'] },
        (p) => ['Software Engineer', 'Developer'].includes(p.jobTitle),
      ],
      [{ skills: ['Rust', 'dbt'] }, (p) => p.skills.includes('rust') || p.skills.includes('dbt')],
      [
        { location: { country: 'united states', state: ['CALIFORNIA', 'texas'] }, department: 'engineering' },
        (p) =>
          p.country === 'United States' &&
          ['California', 'Texas'].includes(p.state ?? '') &&
          p.department === 'Engineering',
      ],
      [
        { company: { industry: 'software', employee_size: { min: 100, max: 1000 } } },
        (p) => p.companyIndustry === 'Software' && p.companyEmployeeSize >= 100 && p.companyEmployeeSize <= 1000,
      ],
      [{ company: { employee_size: { max: 50 } } }, (p) => p.companyEmployeeSize <= 50],
      [{}, () => true],
    ];
    for (const [plain, matches] of cases) {
      const { total } = await leads.search(filters(plain), 0, 1);
      expect({ plain, total }).toEqual({ plain, total: people.filter(matches).length });
    }
  });

  it('windows and pages over the same deterministic order', async () => {
    const developers = filters({ job_title: ['Software Engineer', 'Developer'] });
    const page3 = await leads.search(developers, 3, 50);
    expect(page3.items).toHaveLength(50);
    expect(await leads.findWindow(developers, 150, 50)).toEqual(page3.items.map((item) => item.id));

    const pages = await Promise.all([0, 1, 2, 3, 4].map((page) => leads.search(developers, page, 200)));
    const window = await leads.findWindow(developers, 0, 1000);
    expect(window).toEqual(pages.flatMap((page) => page.items.map((item) => item.id)));
    expect(new Set(window).size).toBe(1000);
    expect(await leads.findWindow(developers, 0, 1000)).toEqual(window);
  });

  it('reports the total even for a page past the end', async () => {
    const { total } = await leads.search(filters({ department: 'Legal' }), 0, 1);
    expect(total).toBeGreaterThan(0);
    expect(await leads.search(filters({ department: 'Legal' }), 1000, 100)).toEqual({ items: [], total });
    expect(await leads.search(filters({ department: 'Astrology' }), 0, 10)).toEqual({ items: [], total: 0 });
  });

  it('has the SQL other modules use to tell which ids name a lead', async () => {
    const [a] = people;
    const unknown = '550e8400-e29b-41d4-a716-4466554400ff';
    const rows: { id: string; known: boolean }[] = await dataSource.query(
      `SELECT w.id::text, ${leadExistsSql('w.id')} AS known FROM unnest($1::uuid[]) AS w(id)`,
      [[unknown, a.id.toUpperCase()]],
    );
    expect(rows).toEqual([
      { id: unknown, known: false },
      { id: a.id.toLowerCase(), known: true },
    ]);
  });

  it('returns profiles in input order, skipping unknown ids, usable as provider context', async () => {
    const [a, b, c] = people;
    const profiles: LeadProfile[] = await leads.findProfiles([c.id, 'junk', a.id.toUpperCase(), b.id, c.id]);
    expect(profiles.map((p) => p.id)).toEqual([c.id, a.id, b.id]);
    const contexts: LeadContext[] = profiles;
    expect(contexts[0].companyDomain).toBe(c.companyDomain);
  });

  it("reads a job's profiles by primary key, never by hashing the whole table", async () => {
    // A job's worth of ids against 20,000 people: as a plain join, the planner hashed the table.
    await dataSource.query('ANALYZE person');
    const ids = people.slice(0, 250).map((p) => p.id);
    // Bound, not prepared: planned for these 250 ids, as a connection's first calls are.
    const plan: { 'QUERY PLAN': string }[] = await dataSource.query(`EXPLAIN ${PROFILES_BY_ID}`, [ids]);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).not.toContain('Seq Scan on person');
    expect(text).toContain('Index Scan using "PK_');
  });

  it('uses the lower() expression index for a selective filter', async () => {
    const { where, params } = compileLeadFilters(filters({ job_title: 'Head of Data' }));
    await dataSource.query('ANALYZE person');
    const plan: { 'QUERY PLAN': string }[] = await dataSource.query(
      `EXPLAIN SELECT p.id FROM person p WHERE ${where}`,
      params,
    );
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('IDX_person_job_title_lower');
  });
});
