import { flattenValidationErrors } from '@app/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CompanyFilterDto, EmployeeSizeRangeDto, LeadFiltersDto, LocationFilterDto } from './lead-filters.request.dto';

/** The global ValidationPipe's settings. */
async function problems(plain: unknown): Promise<Record<string, string[]>> {
  const dto = plainToInstance(LeadFiltersDto, plain);
  const errors = await validate(dto as object, { whitelist: true, forbidNonWhitelisted: true });
  return Object.fromEntries(flattenValidationErrors(errors).map(({ field, messages }) => [field, messages]));
}

describe('LeadFiltersDto', () => {
  it('accepts the full filter language', async () => {
    expect(
      await problems({
        job_title: ['Software Engineer', 'Developer'],
        seniority: ['senior'],
        department: 'Engineering',
        skills: ['typescript'],
        location: { country: 'United States', state: ['California'], city: ['San Francisco'] },
        company: { name: ['Acme'], domain: 'acme.io', industry: ['Software'], employee_size: { min: 10, max: 10 } },
      }),
    ).toEqual({});
  });

  it('wraps single strings into one-element lists and builds real nested classes', () => {
    const dto = plainToInstance(LeadFiltersDto, {
      job_title: 'Developer',
      location: { city: 'Berlin' },
      company: { employee_size: { min: 1 } },
    });
    expect(dto.job_title).toEqual(['Developer']);
    expect(dto.location).toBeInstanceOf(LocationFilterDto);
    expect(dto.location?.city).toEqual(['Berlin']);
    expect(dto.company).toBeInstanceOf(CompanyFilterDto);
    expect(dto.company?.employee_size).toBeInstanceOf(EmployeeSizeRangeDto);
  });

  it.each([
    [{ colour: ['red'] }, 'colour'],
    [{ location: { planet: 'Mars' } }, 'location.planet'],
    [{ company: { size: 10 } }, 'company.size'],
    [{ company: { employee_size: { min: 1, approx: true } } }, 'company.employee_size.approx'],
  ])('rejects the unknown key in %j', async (plain, field) => {
    expect(Object.keys(await problems(plain))).toEqual([field]);
  });

  it.each([
    [{ job_title: [] }, 'job_title'],
    [{ job_title: [''] }, 'job_title'],
    [{ job_title: ['   '] }, 'job_title'],
    [{ job_title: [42] }, 'job_title'],
    [{ job_title: 42 }, 'job_title'],
    [{ skills: ['x'.repeat(201)] }, 'skills'],
    [{ skills: Array.from({ length: 101 }, (_, i) => `skill ${i}`) }, 'skills'],
    [{ location: 'Berlin' }, 'location'],
    [{ location: { country: [] } }, 'location.country'],
    [{ company: { employee_size: { min: -1 } } }, 'company.employee_size.min'],
    [{ company: { employee_size: { max: 1.5 } } }, 'company.employee_size.max'],
    [{ company: { employee_size: { max: '10' } } }, 'company.employee_size.max'],
    [{ company: { employee_size: { min: 2 ** 31 } } }, 'company.employee_size.min'],
    [{ company: { employee_size: 10 } }, 'company.employee_size'],
  ])('rejects %j naming the field', async (plain, field) => {
    expect(Object.keys(await problems(plain))).toEqual([field]);
  });

  it('rejects a list where a group is expected', async () => {
    expect(Object.keys(await problems({ location: ['Berlin'] }))).toContain('location');
  });

  it('reports min > max on employee_size itself', async () => {
    expect(await problems({ company: { employee_size: { min: 500, max: 10 } } })).toEqual({
      'company.employee_size': ['employee_size.min must not be greater than employee_size.max'],
    });
  });

  it('accepts values exactly at the limits', async () => {
    expect(
      await problems({
        skills: Array.from({ length: 100 }, (_, i) => `skill ${i}`),
        job_title: ['x'.repeat(200)],
        company: { employee_size: { min: 0, max: 2 ** 31 - 1 } },
      }),
    ).toEqual({});
  });
});
