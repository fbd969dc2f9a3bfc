import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LeadFiltersDto } from '@app/leads';
import { Type, type DiscriminatorDescriptor } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** The most leads one request may select (the contract's "at most 1000 leads per request"). */
export const MAX_SELECTION_SIZE = 1000;
/** How deep into a search a bulk selection may start. */
export const MAX_START_INDEX = 1_000_000;

export const SELECTION_MODES = ['manual', 'bulk'] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

/**
 * The shared shape of a selection. class-transformer falls back to this class when `mode` is
 * missing or unknown, so that case still fails validation on `mode` (and, through
 * forbidNonWhitelisted, on every other key) instead of passing unchecked.
 */
export class SelectionDto {
  @ApiProperty({ enum: SELECTION_MODES, description: 'How the leads are chosen.' })
  @IsIn(SELECTION_MODES)
  mode: SelectionMode;
}

export class ManualSelectionDto extends SelectionDto {
  @ApiProperty({ enum: ['manual'], example: 'manual', description: 'Explicit lead ids.' })
  @IsIn(['manual'])
  override mode: 'manual';

  @ApiProperty({
    description: 'The leads to enrich, by id. Duplicates are collapsed; every id must exist.',
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: MAX_SELECTION_SIZE,
    example: ['550e8400-e29b-41d4-a716-446655440001', '550e8400-e29b-41d4-a716-446655440002'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SELECTION_SIZE)
  @IsUUID(undefined, { each: true })
  includedIds: string[];
}

export class BulkSelectionDto extends SelectionDto {
  @ApiProperty({ enum: ['bulk'], example: 'bulk', description: 'A range of a lead search.' })
  @IsIn(['bulk'])
  override mode: 'bulk';

  @ApiProperty({
    description: 'Zero-based position in the search results (ordered by last name, first name, id) to start at.',
    type: 'integer',
    minimum: 0,
    maximum: MAX_START_INDEX,
    example: 0,
  })
  @IsInt()
  @Min(0)
  @Max(MAX_START_INDEX)
  startIndex: number;

  @ApiProperty({
    description: 'How many consecutive search results to take from startIndex (before exclusions).',
    type: 'integer',
    minimum: 1,
    maximum: MAX_SELECTION_SIZE,
    example: 100,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_SELECTION_SIZE)
  targetCount: number;

  @ApiPropertyOptional({
    description: 'Leads within the range to leave out.',
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    maxItems: MAX_SELECTION_SIZE,
    default: [],
    example: ['550e8400-e29b-41d4-a716-446655440003'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SELECTION_SIZE)
  @IsUUID(undefined, { each: true })
  excludedIds: string[] = [];

  @ApiProperty({
    type: () => LeadFiltersDto,
    description: 'The search the range is taken from; required so the selection can be reproduced.',
    example: { job_title: ['Software Engineer', 'Developer'] },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => LeadFiltersDto)
  filters: LeadFiltersDto;
}

/**
 * For the request DTO holding a selection:
 * `@Type(() => SelectionDto, { discriminator: SELECTION_DISCRIMINATOR, keepDiscriminatorProperty: true })`.
 */
export const SELECTION_DISCRIMINATOR: DiscriminatorDescriptor = {
  property: 'mode',
  subTypes: [
    { value: ManualSelectionDto, name: 'manual' },
    { value: BulkSelectionDto, name: 'bulk' },
  ],
};

export type ResolvableSelection = ManualSelectionDto | BulkSelectionDto;
