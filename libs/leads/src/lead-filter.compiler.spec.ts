import { plainToInstance } from 'class-transformer';
import { LeadFiltersDto } from './dtos/lead-filters.request.dto';
import { compileLeadFilters } from './lead-filter.compiler';

const filters = (plain: object): LeadFiltersDto => plainToInstance(LeadFiltersDto, plain);

describe('compileLeadFilters', () => {
  it('matches everything when there are no filters', () => {
    expect(compileLeadFilters(filters({}))).toEqual({ where: 'TRUE', params: [] });
  });

  it('compiles a list into a case-insensitive any-of on the lower() expression', () => {
    expect(compileLeadFilters(filters({ job_title: ['Software Engineer', 'DEVELOPER'] }))).toEqual({
      where: 'lower(p.job_title) = ANY($1::text[])',
      params: [['software engineer', 'developer']],
    });
  });

  it('treats a single string as a one-element list', () => {
    expect(compileLeadFilters(filters({ seniority: 'Senior' }))).toEqual({
      where: 'lower(p.seniority) = ANY($1::text[])',
      params: [['senior']],
    });
  });

  it('trims and de-duplicates values after lower-casing', () => {
    expect(compileLeadFilters(filters({ department: [' Sales', 'sales ', 'SALES'] })).params).toEqual([['sales']]);
  });

  it('uses an array overlap for skills', () => {
    expect(compileLeadFilters(filters({ skills: ['TypeScript', 'Go'] }))).toEqual({
      where: 'p.skills && $1::text[]',
      params: [['typescript', 'go']],
    });
  });

  it('ANDs different keys in a fixed order, numbering parameters from the given start', () => {
    const compiled = compileLeadFilters(
      filters({
        job_title: 'Developer',
        department: ['Engineering'],
        skills: 'rust',
        location: { country: ['Germany'], state: 'Bavaria', city: ['Munich'] },
        company: { name: 'Acme', domain: ['acme.io'], industry: 'Software', employee_size: { min: 10, max: 500 } },
      }),
      'x',
      3,
    );
    expect(compiled.where).toBe(
      [
        'lower(x.job_title) = ANY($3::text[])',
        'lower(x.department) = ANY($4::text[])',
        'x.skills && $5::text[]',
        'lower(x.country) = ANY($6::text[])',
        'lower(x.state) = ANY($7::text[])',
        'lower(x.city) = ANY($8::text[])',
        'lower(x.company_name) = ANY($9::text[])',
        'lower(x.company_domain) = ANY($10::text[])',
        'lower(x.company_industry) = ANY($11::text[])',
        'x.company_employee_size BETWEEN $12 AND $13',
      ].join(' AND '),
    );
    expect(compiled.params).toEqual([
      ['developer'],
      ['engineering'],
      ['rust'],
      ['germany'],
      ['bavaria'],
      ['munich'],
      ['acme'],
      ['acme.io'],
      ['software'],
      10,
      500,
    ]);
  });

  it('uses a one-sided comparison when only one employee-size bound is given', () => {
    expect(compileLeadFilters(filters({ company: { employee_size: { min: 0 } } }))).toEqual({
      where: 'p.company_employee_size >= $1',
      params: [0],
    });
    expect(compileLeadFilters(filters({ company: { employee_size: { max: 50 } } }))).toEqual({
      where: 'p.company_employee_size <= $1',
      params: [50],
    });
  });

  it('ignores empty groups', () => {
    expect(compileLeadFilters(filters({ location: {}, company: { employee_size: {} } }))).toEqual({
      where: 'TRUE',
      params: [],
    });
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => compileLeadFilters(filters({}), 'p; DROP TABLE person')).toThrow('Invalid SQL alias');
  });
});
