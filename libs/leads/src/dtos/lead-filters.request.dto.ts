import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ValidatorConstraint,
  Validate,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

export const FILTER_LIST_MAX_ITEMS = 100;
export const FILTER_VALUE_MAX_LENGTH = 200;
/** company_employee_size is an int4 column: a larger bound would make PostgreSQL fail the query. */
export const EMPLOYEE_SIZE_MAX = 2_147_483_647;

/** One filter value as the validators below accept it: 1-200 characters, not all blank. */
const FILTER_VALUE = { type: 'string', minLength: 1, maxLength: FILTER_VALUE_MAX_LENGTH, pattern: '\\S' } as const;

/** A lone string is the common case in hand-written requests; it means a one-element list. */
const wrapSingleString = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? [value] : value);

/**
 * A filter value: any-of list of non-blank strings, a single string accepted. Absent means
 * "no constraint"; a present but empty list is rejected because it would match nobody and
 * almost certainly is a client bug.
 */
function FilterList(description: string, example: string[]): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: `${description} Any of the values matches (case-insensitive). A single string is accepted as a one-element list.`,
      // Any non-array type keeps the plugin from wrapping the oneOf in `items`; Swagger drops it for the oneOf.
      type: 'string',
      oneOf: [FILTER_VALUE, { type: 'array', items: FILTER_VALUE, minItems: 1, maxItems: FILTER_LIST_MAX_ITEMS }],
      example,
    }),
    IsOptional(),
    Transform(wrapSingleString),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(FILTER_LIST_MAX_ITEMS),
    IsString({ each: true }),
    Matches(/\S/, { each: true, message: '$property must contain non-blank strings' }),
    MaxLength(FILTER_VALUE_MAX_LENGTH, { each: true }),
  );
}

/** A nested filter group: must be a JSON object and is validated (and whitelisted) as its class. */
function FilterGroup(type: () => new () => object, description: string): PropertyDecorator {
  return applyDecorators(
    // Swagger recognises a lazy type only by the function's name being `type`.
    ApiPropertyOptional({ type: () => type(), description }),
    IsOptional(),
    IsObject(),
    ValidateNested(),
    Type(type),
  );
}

export class EmployeeSizeRangeDto {
  @ApiPropertyOptional({ description: 'Smallest company size, inclusive.', type: 'integer', minimum: 0, example: 50 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EMPLOYEE_SIZE_MAX)
  min?: number;

  @ApiPropertyOptional({ description: 'Largest company size, inclusive.', type: 'integer', minimum: 0, example: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EMPLOYEE_SIZE_MAX)
  max?: number;
}

/** Reports on `employee_size` itself, so the error names the range rather than one bound. */
@ValidatorConstraint({ name: 'employeeSizeRange' })
class EmployeeSizeRangeConstraint implements ValidatorConstraintInterface {
  validate(range: unknown): boolean {
    if (!(range instanceof EmployeeSizeRangeDto)) return true;
    const { min, max } = range;
    return typeof min !== 'number' || typeof max !== 'number' || min <= max;
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property}.min must not be greater than ${args.property}.max`;
  }
}

export class LocationFilterDto {
  @FilterList('Country names.', ['United States', 'Canada'])
  country?: string[];

  @FilterList('States or provinces.', ['California'])
  state?: string[];

  @FilterList('Cities.', ['San Francisco'])
  city?: string[];
}

export class CompanyFilterDto {
  @FilterList('Company names.', ['Northwind Labs'])
  name?: string[];

  @FilterList('Company web domains.', ['northwindlabs.io'])
  domain?: string[];

  @FilterList('Company industries.', ['Software'])
  industry?: string[];

  @FilterGroup(() => EmployeeSizeRangeDto, 'Company head-count range, both bounds inclusive.')
  @Validate(EmployeeSizeRangeConstraint)
  employee_size?: EmployeeSizeRangeDto;
}

/**
 * The lead search's filter language. Keys are AND-ed, the values of one key are any-of.
 * Unknown keys at any depth are rejected by the global ValidationPipe (forbidNonWhitelisted):
 * a silently ignored filter would select, and charge for, the wrong people.
 */
export class LeadFiltersDto {
  @FilterList('Job titles.', ['Software Engineer', 'Developer'])
  job_title?: string[];

  @FilterList('Seniority levels: entry, junior, mid, senior, lead, manager, director, vp, c_level.', ['senior'])
  seniority?: string[];

  @FilterList('Departments.', ['Engineering'])
  department?: string[];

  @FilterList('Skills; a lead matches when it has any of them.', ['typescript', 'postgresql'])
  skills?: string[];

  @FilterGroup(() => LocationFilterDto, 'Where the lead is based.')
  location?: LocationFilterDto;

  @FilterGroup(() => CompanyFilterDto, 'The company the lead works for.')
  company?: CompanyFilterDto;
}
